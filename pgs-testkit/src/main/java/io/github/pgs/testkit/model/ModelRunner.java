package io.github.pgs.testkit.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs seeded random sequences of actions against a real system and its reference model ({@link ModelSpec}),
 * comparing them after every step, and shrinks the first sequence that diverges to a short, readable one.
 *
 * <pre>{@code
 * ModelReport report = ModelRunner.of(new MySpec())
 *         .withSequencesFrom(ModelRunner.SEQUENCES_PROPERTY, 2_000)
 *         .run();                       // throws ModelDivergence with the seed and the shrunk steps
 * }</pre>
 *
 * <h2>Seeds</h2>
 * Sequence {@code i} of a run is generated from a seed derived from the run's seed; sequence 0 uses the run's seed
 * itself, so the seed a {@link ModelDivergence} names replays that sequence first. The run's seed is printed on
 * standard output when it starts.
 *
 * <h2>Shrinking</h2>
 * The failing sequence is cut after its diverging step, then chunks of steps (halves, quarters, ... single steps)
 * are removed while the rest still diverges, each candidate replayed on a fresh {@link ModelTrial}. Shrinking is
 * bounded ({@value #MAX_SHRINK_REPLAYS} replays, {@value #MAX_SHRINK_SECONDS} s); the report says when it stopped
 * early.
 *
 * <h2>Configuration</h2>
 * {@link #of(ModelSpec)} reads these system properties:
 * <ul>
 *   <li>{@value #SEED_PROPERTY}: the seed of the first sequence (default: random);</li>
 *   <li>{@value #SEQUENCES_PROPERTY}: how many sequences to run (default {@value #DEFAULT_SEQUENCES});</li>
 *   <li>{@value #STEPS_PROPERTY}: steps per sequence (default {@value #DEFAULT_STEPS}).</li>
 * </ul>
 * The {@code with...} methods override them.
 *
 * <p>Instances are immutable. {@link #run()} replays every sequence on one virtual thread of its own and waits for
 * it (hand-offs between a virtual caller and the virtual threads of servers are much cheaper than with a platform
 * thread, which matters over thousands of sequences); a trial may use more threads.
 *
 * @param <A> the action type
 */
public final class ModelRunner<A> {

    /** System property holding the seed of the first sequence. */
    public static final String SEED_PROPERTY = "pgs.model.seed";
    /** System property holding the number of sequences. */
    public static final String SEQUENCES_PROPERTY = "pgs.model.sequences";
    /** System property holding the number of steps per sequence. */
    public static final String STEPS_PROPERTY = "pgs.model.steps";
    /** Sequences per run unless configured. */
    public static final int DEFAULT_SEQUENCES = 1_000;
    /** Steps per sequence unless configured. */
    public static final int DEFAULT_STEPS = 30;
    /** The most replays spent shrinking one divergence. */
    public static final int MAX_SHRINK_REPLAYS = 2_000;
    /** The most time spent shrinking one divergence, in seconds. */
    public static final int MAX_SHRINK_SECONDS = 120;

    private final ModelSpec<A> spec;
    private final long seed;
    private final int sequences;
    private final int steps;

    private ModelRunner(ModelSpec<A> spec, long seed, int sequences, int steps) {
        this.spec = Objects.requireNonNull(spec, "spec");
        if (sequences < 1) {
            throw new IllegalArgumentException("sequences must be >= 1: " + sequences);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1: " + steps);
        }
        this.seed = seed;
        this.sequences = sequences;
        this.steps = steps;
    }

    /**
     * A runner for {@code spec} configured from the system properties {@value #SEED_PROPERTY},
     * {@value #SEQUENCES_PROPERTY} and {@value #STEPS_PROPERTY}.
     *
     * @throws IllegalArgumentException if a property is set but is not a number, or a count is below 1
     */
    public static <A> ModelRunner<A> of(ModelSpec<A> spec) {
        String seedText = System.getProperty(SEED_PROPERTY);
        long seed = seedText == null || seedText.isBlank()
                ? ThreadLocalRandom.current().nextLong()
                : parse(SEED_PROPERTY, seedText);
        return new ModelRunner<>(spec, seed, intProperty(SEQUENCES_PROPERTY, DEFAULT_SEQUENCES),
                intProperty(STEPS_PROPERTY, DEFAULT_STEPS));
    }

    /** This runner with another seed for the first sequence. */
    public ModelRunner<A> withSeed(long seed) {
        return new ModelRunner<>(spec, seed, sequences, steps);
    }

    /** This runner with another number of sequences. */
    public ModelRunner<A> withSequences(int sequences) {
        return new ModelRunner<>(spec, seed, sequences, steps);
    }

    /**
     * This runner with the number of sequences read from system property {@code property}, or
     * {@code defaultSequences} when it is not set (a test's CI budget with a switch for long runs).
     */
    public ModelRunner<A> withSequencesFrom(String property, int defaultSequences) {
        return withSequences(intProperty(property, defaultSequences));
    }

    /** This runner with another number of steps per sequence. */
    public ModelRunner<A> withSteps(int steps) {
        return new ModelRunner<>(spec, seed, sequences, steps);
    }

    public long seed() {
        return seed;
    }

    public int sequences() {
        return sequences;
    }

    public int steps() {
        return steps;
    }

    /**
     * Runs every sequence, stopping at the first divergence.
     *
     * @return what ran
     * @throws ModelDivergence if the system's behaviour differs from the model's, with the failing sequence's seed
     *                         and its shrunk steps
     */
    public ModelReport run() {
        ModelReport[] report = new ModelReport[1];
        Throwable[] failure = new Throwable[1];
        Thread runner = Thread.ofVirtual().name("model-runner").start(() -> {
            try {
                report[0] = runHere();
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        try {
            runner.join();
        } catch (InterruptedException e) {
            runner.interrupt();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the model run was going on", e);
        }
        if (failure[0] instanceof RuntimeException re) {
            throw re;
        }
        if (failure[0] instanceof Error err) {
            throw err;
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        return report[0];
    }

    private ModelReport runHere() {
        System.out.println("ModelRunner[" + spec + "]: seed=" + seed + " sequences=" + sequences + " steps=" + steps
                + " (reproduce with -D" + SEED_PROPERTY + "=" + seed + " -D" + STEPS_PROPERTY + "=" + steps + ")");
        long started = System.nanoTime();
        long total = 0;
        for (int i = 0; i < sequences; i++) {
            long sequenceSeed = sequenceSeed(seed, i);
            List<A> sequence = generate(sequenceSeed, steps);
            Replay r = replay(sequence);
            if (r.diverged()) {
                throw report(sequenceSeed, i, sequence, r);
            }
            total += sequence.size();
        }
        ModelReport report = new ModelReport(seed, sequences, total, Duration.ofNanos(System.nanoTime() - started));
        System.out.println("ModelRunner[" + spec + "]: " + report);
        return report;
    }

    /** Sequence 0 uses the run's seed itself, so that a reported sequence seed replays that sequence first. */
    static long sequenceSeed(long runSeed, int index) {
        if (index == 0) {
            return runSeed;
        }
        long z = runSeed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private List<A> generate(long sequenceSeed, int count) {
        Random random = new Random(sequenceSeed);
        List<A> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(Objects.requireNonNull(spec.nextAction(random, i), "nextAction returned null"));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Replay

    /**
     * One replay: the trace lines, the index of the diverging step ({@code size} for the final check, -1 when
     * none), the divergence message and what was thrown.
     */
    private record Replay(List<String> trace, int failedStep, String divergence, Throwable cause) {
        boolean diverged() {
            return failedStep >= 0;
        }
    }

    private Replay replay(List<A> sequence) {
        List<String> trace = new ArrayList<>(sequence.size() + 1);
        ModelTrial<A> trial;
        try {
            trial = spec.newTrial();
        } catch (Throwable t) {
            trace.add("open -> " + firstLine(t) + "   <-- diverged");
            return new Replay(trace, 0, "opening the trial failed: " + t, t);
        }
        try {
            for (int i = 0; i < sequence.size(); i++) {
                A action = sequence.get(i);
                String description = (i + 1) + ". " + spec.describe(action);
                try {
                    String outcome = trial.step(action);
                    trace.add(description + " -> " + outcome);
                } catch (Throwable t) {
                    trace.add(description + " -> " + firstLine(t) + "   <-- diverged");
                    return new Replay(trace, i, String.valueOf(t.getMessage() != null ? t.getMessage() : t), t);
                }
            }
            try {
                trace.add("end: " + trial.finish());
            } catch (Throwable t) {
                trace.add("end -> " + firstLine(t) + "   <-- diverged");
                return new Replay(trace, sequence.size(), String.valueOf(t.getMessage() != null ? t.getMessage() : t),
                        t);
            }
            return new Replay(trace, -1, null, null);
        } finally {
            try {
                trial.close();
            } catch (Throwable t) {
                System.err.println("ModelRunner: closing a trial failed: " + t);
            }
        }
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        String text = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " ...";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shrinking and reporting

    private ModelDivergence report(long sequenceSeed, int index, List<A> original, Replay failure) {
        List<A> current = new ArrayList<>(original.subList(0, Math.min(original.size(), failure.failedStep() + 1)));
        Replay best = failure;
        int replays = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(MAX_SHRINK_SECONDS).toNanos();
        boolean exhausted = false;
        for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && !exhausted; chunk /= 2) {
            int i = 0;
            while (i < current.size()) {
                if (replays >= MAX_SHRINK_REPLAYS || System.nanoTime() > deadline) {
                    exhausted = true;
                    break;
                }
                List<A> candidate = new ArrayList<>(current.subList(0, i));
                candidate.addAll(current.subList(Math.min(current.size(), i + chunk), current.size()));
                replays++;
                Replay r = replay(candidate);
                if (r.diverged()) {
                    current = new ArrayList<>(candidate.subList(0, Math.min(candidate.size(), r.failedStep() + 1)));
                    best = r;
                } else {
                    i += chunk;
                }
            }
        }
        List<String> lines = best.trace();
        StringBuilder message = new StringBuilder()
                .append("model divergence in sequence ").append(index).append(" (seed ").append(sequenceSeed)
                .append("), shrunk from ").append(original.size()).append(" to ").append(current.size())
                .append(" steps").append(exhausted ? " (shrinking stopped at its bound)" : "").append(":\n");
        for (String line : lines) {
            message.append("  ").append(line).append('\n');
        }
        message.append("divergence: ").append(best.divergence()).append('\n')
                .append("replay: -D").append(SEED_PROPERTY).append('=').append(sequenceSeed)
                .append(" -D").append(STEPS_PROPERTY).append('=').append(original.size())
                .append(" (sequence ").append(index).append(" of the run with seed ").append(seed).append(')');
        return new ModelDivergence(message.toString(), sequenceSeed, index, original.size(), lines,
                best.divergence(), best.cause());
    }

    private static int intProperty(String name, int defaultValue) {
        String text = System.getProperty(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        long v = parse(name, text);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("system property " + name + " must be a positive int: " + text);
        }
        return (int) v;
    }

    private static long parse(String name, String text) {
        try {
            return Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + name + " is not a number: " + text, e);
        }
    }
}
