package io.github.pgs.bench;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZipfTest {

    @Test
    void next_frequenciesMatchTheDistribution_forSeveralExponents() {
        for (double s : new double[] {0.5, 1.0, 1.1, 2.0}) {
            Zipf zipf = new Zipf(50, s);
            SplittableRandom rnd = new SplittableRandom(7);
            int draws = 400_000;
            long[] counts = new long[51];
            for (int i = 0; i < draws; i++) {
                long k = zipf.next(rnd);
                assertThat(k).isBetween(1L, 50L);
                counts[(int) k]++;
            }
            for (int k : new int[] {1, 2, 5, 20, 50}) {
                double expected = zipf.probability(k) * draws;
                // within 5 standard deviations of a binomial count
                double sd = Math.sqrt(expected * (1 - zipf.probability(k)));
                assertThat((double) counts[k]).as("s=%s rank %d", s, k).isCloseTo(expected,
                        org.assertj.core.data.Offset.offset(5 * sd + 1));
            }
        }
    }

    @Test
    void next_staysInRange_forTenMillionRanks() {
        Zipf zipf = new Zipf(10_000_000, 1.1);
        SplittableRandom rnd = new SplittableRandom(1);
        long ones = 0;
        for (int i = 0; i < 100_000; i++) {
            long k = zipf.next(rnd);
            assertThat(k).isBetween(1L, 10_000_000L);
            if (k == 1) {
                ones++;
            }
        }
        // P(1) = 1 / H(10^7, 1.1), about 0.11
        assertThat(ones).isBetween(9_000L, 13_000L);
    }

    @Test
    void constructor_refusesBadArguments() {
        assertThatThrownBy(() -> new Zipf(0, 1.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Zipf(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Zipf(10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
