package io.github.pgs.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One flat JSON object, printed as one line: the result of one scenario run. Field names follow the peer
 * harnesses ({@code calls_per_s}, {@code p50_us}, {@code verify}, ...) so that one summary reads all of them.
 *
 * <p>Values are numbers, booleans, strings or {@code null}; insertion order is kept. Not thread-safe.
 */
public final class JsonLine {

    private static final Properties VERSIONS = loadVersions();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** Sets {@code key} (replacing an earlier value) and returns this line. */
    public JsonLine put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** Adds {@code p50_us}, {@code p99_us}, {@code p999_us}, {@code max_us}, {@code mean_us} (with a prefix). */
    public JsonLine latency(String prefix, Histogram h) {
        put(prefix + "p50_us", us(h.getValueAtPercentile(50)));
        put(prefix + "p99_us", us(h.getValueAtPercentile(99)));
        put(prefix + "p999_us", us(h.getValueAtPercentile(99.9)));
        put(prefix + "max_us", us(h.getMaxValue()));
        put(prefix + "mean_us", Math.round(h.getMean() / 100.0) / 10.0);
        return this;
    }

    /**
     * A version from the build ({@code pgs.version}, {@code pgjdbc.version}, {@code pekko.version}, ...), or
     * {@code null}. Read from every {@code /pgs-bench-versions.properties} on the class path (each benchmark
     * module ships one with the versions of its own dependencies).
     */
    public static String version(String key) {
        return VERSIONS.getProperty(key);
    }

    private static double us(long ns) {
        return Math.round(ns / 100.0) / 10.0;
    }

    private static Properties loadVersions() {
        Properties p = new Properties();
        try {
            Enumeration<URL> files = JsonLine.class.getClassLoader().getResources("pgs-bench-versions.properties");
            while (files.hasMoreElements()) {
                try (InputStream in = files.nextElement().openStream()) {
                    p.load(in);
                }
            }
        } catch (IOException ignored) {
            // versions are informational only
        }
        return p;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, e.getKey()).append(':');
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
                sb.append("null");
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                quote(sb, v.toString());
            }
        }
        return sb.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
