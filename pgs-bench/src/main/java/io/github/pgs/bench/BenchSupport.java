package io.github.pgs.bench;

import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Small measuring helpers shared by every harness in the benchmark modules (ours, the peers, the limits), so
 * that the same quantity is measured the same way everywhere.
 */
public final class BenchSupport {

    private BenchSupport() {
    }

    /** The permutation of {@code 0..n-1} every harness uses for "random order" (seed 42, as the peers'). */
    public static int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random rnd = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Heap used after four {@code System.gc()} calls 300 ms apart ({@code MemoryMXBean}), in bytes. */
    public static long heapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(300);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    /** {@code bytes} in MiB, one decimal. */
    public static double mb(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    /** {@code x} rounded to {@code decimals} decimals. */
    public static double round(double x, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(x * f) / f;
    }
}
