package io.github.pgs.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command-line options of the form {@code --name=value} (or {@code --flag}, meaning {@code true}), with typed
 * getters that fall back to a default. Numbers may contain underscores ({@code --A=1_000_000}).
 *
 * <p>Not thread-safe; read once at start-up.
 */
public final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * Parses {@code argv}.
     *
     * @throws IllegalArgumentException for an argument that does not start with {@code --}
     */
    public Options(String[] argv) {
        for (String a : argv) {
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("arguments are --name=value, got: " + a);
            }
            int eq = a.indexOf('=');
            if (eq < 0) {
                values.put(a.substring(2), "true");
            } else {
                values.put(a.substring(2, eq), a.substring(eq + 1));
            }
        }
    }

    /** Whether {@code name} was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value of {@code name}, or {@code def}. */
    public String str(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /** The integer value of {@code name}, or {@code def}. */
    public int integer(String name, int def) {
        return has(name) ? Integer.parseInt(values.get(name).replace("_", "")) : def;
    }

    /** The decimal value of {@code name}, or {@code def}. */
    public double decimal(String name, double def) {
        return has(name) ? Double.parseDouble(values.get(name).replace("_", "")) : def;
    }

    /** The boolean value of {@code name}, or {@code def}. */
    public boolean bool(String name, boolean def) {
        return has(name) ? Boolean.parseBoolean(values.get(name)) : def;
    }
}
