package io.github.pgs.cluster.pekko.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How many times the failure tests repeat their scenario, and their randomness: once in CI; the long mode repeats
 * them with {@code -Dpgs.cluster.runs=50} (see RELIABILITY.md). The seed is printed, and
 * {@code -Dpgs.cluster.seed=} replays one.
 */
final class Runs {

    private Runs() {
    }

    /** One run of a scenario; returns the figure the test totals. */
    @FunctionalInterface
    interface Body {
        long run(int run, Random random) throws Exception;
    }

    /** Runs {@code body} {@link #count()} times with one seeded random source; the figure of each run. */
    static List<Long> each(String test, Body body) throws Exception {
        Random random = random(test);
        List<Long> figures = new ArrayList<>();
        for (int run = 1; run <= count(); run++) {
            figures.add(body.run(run, random));
        }
        return figures;
    }

    static int count() {
        return Integer.parseInt(ClusterStores.property("pgs.cluster.runs", "1"));
    }

    static Random random(String test) {
        long seed = Long.parseLong(ClusterStores.property("pgs.cluster.seed",
                Long.toString(System.nanoTime())));
        System.out.printf("%s: seed %d (-Dpgs.cluster.seed=%d replays it)%n", test, seed, seed);
        return new Random(seed);
    }
}
