package io.github.pgs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed arguments: {@code STORE COMMAND [ARG...]} with {@code --name value}, {@code --name=value} and
 * {@code --flag} options anywhere after the store. Knows which options take a value; validates nothing else.
 */
final class CommandLine {

    /** Options followed by a value. */
    static final Set<String> VALUED = Set.of("user", "password-env", "schema", "table", "namespace", "after", "limit",
            "older-than", "version", "types", "port", "bind", "max-chars", "indent-depth");
    /** Options that are flags. */
    static final Set<String> FLAGS = Set.of("dry-run", "help", "read-only", "compact");

    final String store;
    final String command;
    final List<String> args;
    final Map<String, String> options;

    private CommandLine(String store, String command, List<String> args, Map<String, String> options) {
        this.store = store;
        this.command = command;
        this.args = args;
        this.options = options;
    }

    /** Whether these arguments ask for help (no store needed). */
    static boolean isHelp(String[] argv) {
        return argv.length >= 1 && (argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h"));
    }

    /**
     * {@code argv} with {@code console --store STORE ...} rewritten to the usual {@code STORE console ...}; other
     * command lines unchanged.
     *
     * @throws UsageException if {@code console} comes without {@code --store}
     */
    static String[] storeFirst(String[] argv) {
        if (argv.length == 0 || !argv[0].equals("console")) {
            return argv;
        }
        List<String> rest = new ArrayList<>();
        String store = null;
        for (int i = 1; i < argv.length; i++) {
            if (argv[i].equals("--store") && i + 1 < argv.length && store == null) {
                store = argv[++i];
            } else if (argv[i].startsWith("--store=") && store == null) {
                store = argv[i].substring("--store=".length());
            } else {
                rest.add(argv[i]);
            }
        }
        if (store == null) {
            throw new UsageException("console: missing --store STORE");
        }
        List<String> out = new ArrayList<>();
        out.add(store);
        out.add("console");
        out.addAll(rest);
        return out.toArray(String[]::new);
    }

    /**
     * Parses {@code argv}.
     *
     * @throws UsageException if the store or command is missing, an option is unknown, repeated or lacks its value
     */
    static CommandLine parse(String[] argv) {
        if (argv.length == 0) {
            throw new UsageException("missing STORE and COMMAND");
        }
        String store = argv[0];
        if (store.startsWith("--")) {
            throw new UsageException("the first argument must be the STORE, not an option: '" + argv[0] + "'");
        }
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) {
                positional.addAll(List.of(argv).subList(i + 1, argv.length));
                break;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = "";
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = argv[++i];
                }
            } else {
                throw new UsageException("unknown option --" + name);
            }
            if (options.put(name, value) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        if (positional.isEmpty()) {
            throw new UsageException(options.containsKey("help") ? "" : "missing COMMAND after the STORE");
        }
        return new CommandLine(store, positional.get(0), List.copyOf(positional.subList(1, positional.size())),
                options);
    }

    /** The value of {@code --name}, or {@code null}. */
    String option(String name) {
        return options.get(name);
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    /**
     * Checks the command's arguments: exactly {@code names.length} positional ones (named in messages by
     * {@code names}) and only options from {@code allowed} (store options are always allowed).
     */
    void expect(Set<String> allowed, String... names) {
        if (args.size() < names.length) {
            throw new UsageException(command + ": missing " + names[args.size()]);
        }
        if (args.size() > names.length) {
            throw new UsageException(command + ": unexpected argument '" + args.get(names.length) + "'");
        }
        for (String o : options.keySet()) {
            if (!allowed.contains(o) && !StoreSpec.OPTIONS.contains(o)) {
                throw new UsageException(command + " does not take --" + o);
            }
        }
    }
}
