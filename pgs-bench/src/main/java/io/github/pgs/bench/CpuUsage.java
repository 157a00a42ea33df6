package io.github.pgs.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Machine-wide CPU use between two snapshots of {@code /proc/stat}: the same measure as the peer harnesses'
 * {@code cpu_busy_pct} (busy = everything but idle and iowait; 100 = all cores busy). Linux only; elsewhere
 * {@link #busyPct} returns -1.
 */
public record CpuUsage(long busy, long total) {

    /** The counters now. */
    public static CpuUsage snapshot() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new CpuUsage(total - idle, total);
        } catch (Exception e) {
            return new CpuUsage(-1, -1);
        }
    }

    /** Busy percentage of all cores between {@code start} and {@code end}, one decimal; -1 if unknown. */
    public static double busyPct(CpuUsage start, CpuUsage end) {
        if (start.total < 0 || end.total <= start.total) {
            return -1;
        }
        return Math.round(1000.0 * (end.busy - start.busy) / (end.total - start.total)) / 10.0;
    }
}
