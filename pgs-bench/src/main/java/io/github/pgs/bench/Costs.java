package io.github.pgs.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a measured window cost, per call: CPU time of this JVM (all its threads), CPU of the whole machine (every
 * process, the database server's included, from {@link CpuUsage}), and bytes written. From {@code /proc/self/io}:
 * {@code wchar}, the bytes this process handed to {@code write}-family system calls (SQLite's log and checkpoint
 * writes; for PostgreSQL and Redis, the bytes sent to the server), and {@code write_bytes}, the bytes it caused to
 * reach the storage layer (a page rewritten before the kernel flushed it counts once, so this is below
 * {@code wchar} for a log that is rewritten in place). For PostgreSQL also the server's write-ahead log
 * ({@code pg_stat_wal.wal_bytes}, PostgreSQL 14+). Linux only; a counter that cannot be read is reported as
 * {@code null}.
 *
 * @param jvmCpuNs     CPU time of this JVM, ns ({@code -1} if unknown)
 * @param wcharBytes   bytes this process passed to write system calls ({@code -1} if unknown)
 * @param ioWriteBytes bytes this process caused to be written to storage ({@code -1} if unknown)
 * @param walBytes     PostgreSQL WAL bytes generated so far ({@code -1} if not measured)
 * @param machine      machine-wide CPU counters
 */
public record Costs(long jvmCpuNs, long wcharBytes, long ioWriteBytes, long walBytes, CpuUsage machine) {

    /** The counters now; {@code postgres} non-null: also read that server's WAL position. */
    public static Costs snapshot(Options postgres) {
        return new Costs(processCpuNs(), procSelfIo("wchar:"), procSelfIo("write_bytes:"),
                postgres == null ? -1 : walPosition(postgres), CpuUsage.snapshot());
    }

    private static long processCpuNs() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long procSelfIo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim());
                }
            }
        } catch (Exception e) {
            // not Linux, or not readable: reported as unknown
        }
        return -1;
    }

    private static long walPosition(Options o) {
        try (Connection c = Endpoints.postgres(o); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT wal_bytes FROM pg_stat_wal")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /**
     * Adds, per call, {@code jvm_cpu_us_per_call}, {@code machine_cpu_us_per_call} (busy core time of the whole
     * machine), {@code wchar_bytes_per_call}, {@code io_write_bytes_per_call} and {@code wal_bytes_per_call} for
     * the window from {@code start} to {@code end} with {@code calls} calls in it.
     */
    public static JsonLine describe(JsonLine json, Costs start, Costs end, long calls) {
        if (calls <= 0) {
            return json;
        }
        double machineBusyNs = machineBusyNs(start.machine, end.machine);
        return json
                .put("jvm_cpu_us_per_call", start.jvmCpuNs < 0 || end.jvmCpuNs < 0 ? null
                        : BenchSupport.round((end.jvmCpuNs - start.jvmCpuNs) / 1000.0 / calls, 2))
                .put("machine_cpu_us_per_call", machineBusyNs < 0 ? null
                        : BenchSupport.round(machineBusyNs / 1000.0 / calls, 2))
                .put("wchar_bytes_per_call", start.wcharBytes < 0 || end.wcharBytes < 0 ? null
                        : Math.round((end.wcharBytes - start.wcharBytes) / (double) calls))
                .put("io_write_bytes_per_call", start.ioWriteBytes < 0 || end.ioWriteBytes < 0 ? null
                        : Math.round((end.ioWriteBytes - start.ioWriteBytes) / (double) calls))
                .put("wal_bytes_per_call", start.walBytes < 0 || end.walBytes < 0 ? null
                        : Math.round((end.walBytes - start.walBytes) / (double) calls));
    }

    /** Busy core-ns of the whole machine between two snapshots ({@code /proc/stat} counts in 1/100 s ticks). */
    private static double machineBusyNs(CpuUsage a, CpuUsage b) {
        if (a.total() < 0 || b.total() <= a.total()) {
            return -1;
        }
        return (b.busy() - a.busy()) * 10_000_000.0;
    }
}
