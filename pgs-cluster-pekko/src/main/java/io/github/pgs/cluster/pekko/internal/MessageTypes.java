package io.github.pgs.cluster.pekko.internal;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which classes a message arriving from another node may be decoded as. The class name on the wire is data from
 * the network, so it is checked <em>before</em> any class is loaded: only classes named explicitly, classes in the
 * packages allowed (nested classes included, subpackages not), and {@code String} and the boxed primitives pass.
 * Interfaces, abstract classes, arrays and JDK classes outside that list never do, whatever a package rule says.
 *
 * <p>The sender applies the same check before sending, so a refused class is a typed error at the sender, never a
 * message dropped at the receiver. Thread-safe; immutable after construction apart from its cache of resolved
 * classes.
 */
public final class MessageTypes {

    private static final Set<Class<?>> ALWAYS = Set.of(String.class, Long.class, Integer.class, Short.class,
            Byte.class, Double.class, Float.class, Boolean.class, Character.class);

    private final ClassLoader loader;
    private final Set<String> packages;
    private final Map<String, Class<?>> explicit;
    private final Map<String, Class<?>> resolved = new ConcurrentHashMap<>();

    /**
     * @param loader   the loader to resolve allowed names with
     * @param packages package names whose (top-level and nested) classes are allowed
     * @param classes  classes allowed wherever they live
     */
    public MessageTypes(ClassLoader loader, Set<String> packages, Set<Class<?>> classes) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.packages = Set.copyOf(packages);
        Map<String, Class<?>> m = new ConcurrentHashMap<>();
        for (Class<?> c : classes) {
            m.put(c.getName(), c);
        }
        for (Class<?> c : ALWAYS) {
            m.put(c.getName(), c);
        }
        this.explicit = Map.copyOf(m);
    }

    /** Whether a message of class {@code c} may cross nodes. */
    public boolean allows(Class<?> c) {
        if (explicit.get(c.getName()) == c) {
            return true;
        }
        return concrete(c) && packages.contains(c.getPackageName()) && !c.getPackageName().startsWith("java.");
    }

    /**
     * The class named {@code name}, if allowed.
     *
     * @throws IllegalArgumentException if the name is not allowed (nothing was loaded) or the class is missing
     */
    public Class<?> resolve(String name) {
        Class<?> c = explicit.get(name);
        if (c != null) {
            return c;
        }
        c = resolved.get(name);
        if (c != null) {
            return c;
        }
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        if (!packages.contains(pkg) || pkg.startsWith("java.")) {
            throw new IllegalArgumentException("message class not accepted from other nodes: " + name);
        }
        try {
            c = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("message class not found on this node: " + name, e);
        }
        if (!allows(c)) {
            throw new IllegalArgumentException("message class not accepted from other nodes: " + name);
        }
        resolved.put(name, c);
        return c;
    }

    private static boolean concrete(Class<?> c) {
        return !c.isInterface() && !c.isArray() && !c.isPrimitive()
                && !java.lang.reflect.Modifier.isAbstract(c.getModifiers());
    }
}
