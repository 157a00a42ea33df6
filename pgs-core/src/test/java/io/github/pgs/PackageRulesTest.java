package io.github.pgs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core's package rules, read from its sources (imports and fully qualified names, comments and strings left
 * out):
 * <ul>
 *   <li>no cycle between the core's parts: the public API ({@code io.github.pgs} with the SPI packages it names in
 *       its signatures, {@code spi} and {@code placement}), {@code store}, {@code store.support}, {@code admin}
 *       and {@code internal}, once the seam's edges (to {@code internal.Registry} and {@code internal.StoreTools})
 *       are set aside;</li>
 *   <li>outside {@code internal}, the only internal classes named are the seam's;</li>
 *   <li>{@code internal} never names the API's entry classes (no round trip through the seam) nor
 *       {@code admin};</li>
 *   <li>every class of {@code internal} but the seam's is package-private;</li>
 *   <li>no production file is longer than {@value #MAX_LINES} lines.</li>
 * </ul>
 */
class PackageRulesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/github/pgs");
    private static final String ROOT = "io.github.pgs";
    /** The seam: the API's way into the runtime, and the admin package's way to the store logic it shares. */
    private static final Set<String> SEAMS = Set.of(ROOT + ".internal.Registry", ROOT + ".internal.StoreTools");
    private static final Set<String> ENTRY_CLASSES = Set.of("ServerRuntime", "ServerRef", "ServerContext",
            "PersistentGenServer");
    private static final int MAX_LINES = 500;
    private static final Pattern QUALIFIED = Pattern.compile("\\bio\\.github\\.pgs((?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");

    /** A source file: its package and the classes of the core it names outside its own package. */
    private record Source(Path path, String pkg, String name, Set<String> uses, String text) {
    }

    @Test
    void thePartsOfTheCoreFormNoCycle_onceTheSeamIsSetAside() throws IOException {
        Map<String, Set<String>> edges = new TreeMap<>();
        for (Source s : sources()) {
            for (String used : s.uses()) {
                if (SEAMS.contains(used) && !part(s.pkg()).equals("internal")) {
                    continue; // the narrow seam
                }
                String from = part(s.pkg());
                String to = part(packageOf(used));
                if (!from.equals(to)) {
                    edges.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                }
            }
        }
        assertThat(edges.get("internal")).as("the parser sees the internals' use of the API").contains("api");
        assertThat(edges.get("admin")).as("the parser sees the admin's use of the API").contains("api");
        assertThat(cycle(edges)).as("a cycle between the core's parts, in %s", edges).isEmpty();
    }

    @Test
    void outsideInternal_onlyTheSeamIsNamed() throws IOException {
        List<String> offences = new ArrayList<>();
        for (Source s : sources()) {
            if (part(s.pkg()).equals("internal")) {
                continue;
            }
            for (String used : s.uses()) {
                if (packageOf(used).equals(ROOT + ".internal") && !SEAMS.contains(used)) {
                    offences.add(s.path() + " names " + used);
                }
            }
        }
        assertThat(offences).isEmpty();
    }

    @Test
    void internalNeverNamesTheEntryClassesOrTheAdminPackage() throws IOException {
        List<String> offences = new ArrayList<>();
        for (Source s : sources()) {
            if (!part(s.pkg()).equals("internal")) {
                continue;
            }
            for (String used : s.uses()) {
                String simple = used.substring(used.lastIndexOf('.') + 1);
                boolean entry = packageOf(used).equals(ROOT) && ENTRY_CLASSES.contains(simple);
                if (entry || part(packageOf(used)).equals("admin")) {
                    offences.add(s.path() + " names " + used);
                }
            }
        }
        assertThat(offences).isEmpty();
    }

    @Test
    void internalClassesArePackagePrivate_butTheSeam() throws IOException {
        List<String> offences = new ArrayList<>();
        for (Source s : sources()) {
            if (part(s.pkg()).equals("internal") && !SEAMS.contains(s.pkg() + "." + s.name())
                    && Pattern.compile("(?m)^public\\s").matcher(s.text()).find()) {
                offences.add(s.path().toString());
            }
        }
        assertThat(offences).isEmpty();
    }

    @Test
    void noProductionFileIsLongerThanTheLimit() throws IOException {
        Map<String, Long> tooLong = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                long lines = Files.readAllLines(p).size();
                if (lines > MAX_LINES) {
                    tooLong.put(p.toString(), lines);
                }
            }
        }
        assertThat(tooLong).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ parsing

    private static List<Source> sources() throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = p.getFileName().toString().replace(".java", "");
                if (name.equals("package-info")) {
                    continue;
                }
                String code = stripCommentsAndStrings(Files.readString(p));
                Matcher pm = Pattern.compile("\\bpackage\\s+([\\w.]+)\\s*;").matcher(code);
                assertThat(pm.find()).as("package of %s", p).isTrue();
                String pkg = pm.group(1);
                Set<String> uses = new LinkedHashSet<>();
                Matcher m = QUALIFIED.matcher(code);
                while (m.find()) {
                    String used = ROOT + m.group(1) + "." + m.group(2);
                    if (!packageOf(used).equals(pkg)) {
                        uses.add(used);
                    }
                }
                out.add(new Source(p, pkg, name, uses, code));
            }
        }
        assertThat(out).as("sources found under %s", SOURCES.toAbsolutePath()).hasSizeGreaterThan(50);
        return out;
    }

    /** The part a package belongs to: the API with its SPI packages, or the package's last name. */
    private static String part(String pkg) {
        return switch (pkg) {
            case ROOT, ROOT + ".spi", ROOT + ".placement" -> "api";
            case ROOT + ".store" -> "store";
            case ROOT + ".store.support" -> "store.support";
            case ROOT + ".admin" -> "admin";
            case ROOT + ".internal" -> "internal";
            default -> pkg;
        };
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    private static String stripCommentsAndStrings(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ")
                .replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"")
                .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }

    /** A cycle in {@code edges} as a list of nodes, or empty. */
    private static List<String> cycle(Map<String, Set<String>> edges) {
        Map<String, Integer> state = new HashMap<>();
        for (String start : edges.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, edges, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> edges, Map<String, Integer> state,
                                 List<String> path) {
        Integer st = state.get(node);
        if (st != null && st == 2) {
            return false;
        }
        path.add(node);
        if (st != null && st == 1) {
            return true;
        }
        state.put(node, 1);
        for (String next : edges.getOrDefault(node, Set.of())) {
            if (visit(next, edges, state, path)) {
                return true;
            }
        }
        state.put(node, 2);
        path.removeLast();
        return false;
    }
}
