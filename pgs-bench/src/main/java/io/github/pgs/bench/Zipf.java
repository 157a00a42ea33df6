package io.github.pgs.bench;

import java.util.SplittableRandom;

/**
 * Ranks {@code 1..n} drawn with probability proportional to {@code 1 / rank^s} (Zipf's law), in constant time per
 * draw whatever {@code n}, by rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM TOMACS 6(3), 1996).
 *
 * <p><b>Algorithm.</b> The continuous hat {@code h(x) = x^-s} bounds the probabilities from above around each
 * integer. A uniform point under the integral {@code H} of the hat between {@code 1.5} and {@code n + 0.5} is mapped
 * back by {@code H}'s inverse to {@code x}; the nearest integer {@code k} is accepted when {@code x} is close
 * enough to it (a test that needs no function evaluation most of the time) or when the point lies under the
 * probability mass of {@code k}; otherwise the draw is repeated (rarely: the hat hugs the distribution).
 *
 * <p><b>Hazards.</b> Near {@code s = 1} the closed forms divide by {@code 1 - s}; the helper functions use the
 * series of {@code log1p(x)/x} and {@code expm1(x)/x} near 0 so that {@code s = 1} itself is exact. Not
 * thread-safe: give each thread its own instance (or its own random source through {@link #next}).
 */
public final class Zipf {

    private final long n;
    private final double s;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double squeeze;

    /**
     * @param n the number of ranks (&ge; 1)
     * @param s the exponent (&gt; 0)
     */
    public Zipf(long n, double s) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        if (!(s > 0)) {
            throw new IllegalArgumentException("s must be > 0: " + s);
        }
        this.n = n;
        this.s = s;
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralN = hIntegral(n + 0.5);
        this.squeeze = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
    }

    /** One rank in {@code 1..n}. */
    public long next(SplittableRandom rnd) {
        while (true) {
            double u = hIntegralN + rnd.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            long k = Math.round(x);
            if (k < 1) {
                k = 1;
            } else if (k > n) {
                k = n;
            }
            if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** The probability of rank {@code k}, for tests: {@code k^-s / sum(i^-s)} (O(n)). */
    double probability(long k) {
        double sum = 0;
        for (long i = 1; i <= n; i++) {
            sum += Math.pow(i, -s);
        }
        return Math.pow(k, -s) / sum;
    }

    private double h(double x) {
        return Math.exp(-s * Math.log(x));
    }

    /** {@code H(x)}: the integral of {@code h} from 1, shifted so that it is defined for every s. */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return expm1OverX((1.0 - s) * logX) * logX;
    }

    private double hIntegralInverse(double x) {
        double t = x * (1.0 - s);
        if (t < -1.0) {
            t = -1.0; // only reached through rounding at the far end of the range
        }
        return Math.exp(log1pOverX(t) * x);
    }

    /** {@code log1p(x) / x}, with its series near 0. */
    private static double log1pOverX(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.log1p(x) / x;
        }
        return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    /** {@code expm1(x) / x}, with its series near 0. */
    private static double expm1OverX(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.expm1(x) / x;
        }
        return 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
    }
}
