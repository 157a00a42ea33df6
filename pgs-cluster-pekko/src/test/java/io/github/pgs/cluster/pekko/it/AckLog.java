package io.github.pgs.cluster.pekko.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the nodes' loads reported, read back from their acknowledgement logs (see {@link NodeMain}), and the
 * checks against the store: no acknowledged increment missing, no count acknowledged twice (a forked history),
 * and how many increments are in the store without an acknowledgement (calls in flight when a node died or a
 * call timed out).
 */
final class AckLog {

    /** One outcome: {@code kind} is {@code ack}, {@code cast} or {@code fail}. */
    record Entry(long millis, String kind, String key, long count, String error, boolean retrySafe) {
    }

    final List<Entry> entries = new ArrayList<>();

    static AckLog read(List<Path> logs) throws IOException {
        AckLog log = new AckLog();
        for (Path p : logs) {
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length < 3) {
                    continue; // a line cut by SIGKILL mid-write
                }
                switch (f[1]) {
                    case "ack" -> {
                        if (f.length == 4) {
                            log.entries.add(new Entry(Long.parseLong(f[0]), "ack", f[2], Long.parseLong(f[3]), "",
                                    false));
                        }
                    }
                    case "cast" -> log.entries.add(new Entry(Long.parseLong(f[0]), "cast", f[2], 0, "", false));
                    case "fail" -> {
                        if (f.length == 5) {
                            log.entries.add(new Entry(Long.parseLong(f[0]), "fail", f[2], 0, f[3],
                                    Boolean.parseBoolean(f[4])));
                        }
                    }
                    default -> throw new IllegalStateException("unknown acknowledgement line: " + line);
                }
            }
        }
        return log;
    }

    long count(String kind) {
        return entries.stream().filter(e -> e.kind.equals(kind)).count();
    }

    /** The result of comparing the logs with the stored states. */
    record Verdict(long acked, long lost, long repeated, long unacknowledgedInStore, long castsSent,
                   long castsStored) {
    }

    Verdict verify(Map<String, Tally.State> stored) {
        Map<String, Set<Long>> seen = new HashMap<>();
        Map<String, Long> max = new HashMap<>();
        Map<String, Long> casts = new HashMap<>();
        long acked = 0;
        long repeated = 0;
        for (Entry e : entries) {
            if (e.kind.equals("ack")) {
                acked++;
                if (!seen.computeIfAbsent(e.key, k -> new HashSet<>()).add(e.count)) {
                    repeated++;
                }
                max.merge(e.key, e.count, Math::max);
            } else if (e.kind.equals("cast")) {
                casts.merge(e.key, 1L, Long::sum);
            }
        }
        long lost = 0;
        long extra = 0;
        long castsStored = 0;
        for (Map.Entry<String, Tally.State> s : stored.entrySet()) {
            long m = max.getOrDefault(s.getKey(), 0L);
            long calls = s.getValue().calls();
            if (calls < m) {
                lost += m - calls;
            } else {
                extra += calls - m;
            }
            castsStored += s.getValue().casts();
        }
        long castsSent = casts.values().stream().mapToLong(Long::longValue).sum();
        return new Verdict(acked, lost, repeated, extra, castsSent, castsStored);
    }

    /** Failures by exception class and retry safety, e.g. {@code CallTimeoutException(unsafe)=12}. */
    Map<String, Long> failuresByKind() {
        Map<String, Long> m = new TreeMap<>();
        for (Entry e : entries) {
            if (e.kind.equals("fail")) {
                m.merge(e.error + (e.retrySafe ? "(retry-safe)" : "(not retry-safe)"), 1L, Long::sum);
            }
        }
        return m;
    }

    /** Acknowledged calls per second from {@code fromMillis}, one number per second. */
    List<Long> callsPerSecond(long fromMillis, long toMillis) {
        int seconds = (int) Math.max(1, (toMillis - fromMillis + 999) / 1000);
        long[] buckets = new long[seconds];
        for (Entry e : entries) {
            if (e.kind.equals("ack") && e.millis >= fromMillis && e.millis < toMillis) {
                buckets[(int) ((e.millis - fromMillis) / 1000)]++;
            }
        }
        List<Long> out = new ArrayList<>();
        for (long b : buckets) {
            out.add(b);
        }
        return out;
    }

    /**
     * For the keys whose calls failed after {@code sinceMillis}: how long after {@code sinceMillis} each had its
     * first acknowledged call following its last failure. Sorted ascending.
     */
    List<Long> recoveryMillis(long sinceMillis) {
        Map<String, Long> lastFailure = new HashMap<>();
        for (Entry e : entries) {
            if (e.kind.equals("fail") && e.millis >= sinceMillis) {
                lastFailure.merge(e.key, e.millis, Math::max);
            }
        }
        Map<String, Long> recovered = new HashMap<>();
        for (Entry e : entries) {
            Long f = lastFailure.get(e.key);
            if (e.kind.equals("ack") && f != null && e.millis > f) {
                recovered.merge(e.key, e.millis, Math::min);
            }
        }
        List<Long> out = new ArrayList<>();
        for (Map.Entry<String, Long> f : lastFailure.entrySet()) {
            Long r = recovered.get(f.getKey());
            if (r != null) {
                out.add(r - sinceMillis);
            }
        }
        out.sort(null);
        return out;
    }
}
