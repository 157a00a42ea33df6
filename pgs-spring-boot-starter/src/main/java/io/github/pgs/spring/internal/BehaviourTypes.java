package io.github.pgs.spring.internal;

import io.github.pgs.GenServer;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.spring.PgsConfigurationException;
import io.github.pgs.spring.TypeProperties;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server types of the application: one per {@link GenServer} bean (its factory asks the context for a new
 * instance at each activation), plus the {@link ServerType} beans, with the options of {@code pgs.defaults} and
 * {@code pgs.types.NAME}.
 *
 * <p>Algorithm: collect both kinds of beans, refuse a behaviour bean that is not prototype-scoped (one instance
 * shared by every activation would share whatever the handler keeps in fields), refuse two types with one name,
 * apply the options, then refuse {@code pgs.types} entries that name no type (a misspelt name would otherwise be
 * silently ignored). Hazards: a behaviour bean's class is its user class (not a proxy), since the type's argument
 * and state types are read from its {@code GenServer<A, S>} declaration; beans are never instantiated here, only
 * their definitions read, so no server is created before the runtime exists.
 */
public final class BehaviourTypes {

    private BehaviourTypes() {
    }

    /** The types to register, in bean order. */
    public static List<ServerType<?, ?>> collect(ListableBeanFactory beans, TypeOptions defaults,
                                                  Map<String, TypeProperties> perType) {
        Map<String, ServerType<?, ?>> byName = new LinkedHashMap<>();
        Map<String, String> source = new LinkedHashMap<>();
        for (String bean : beans.getBeanNamesForType(GenServer.class, true, false)) {
            Class<?> cls = beans.getType(bean);
            if (cls == null) {
                continue;
            }
            cls = ClassUtils.getUserClass(cls);
            if (!beans.isPrototype(bean)) {
                throw new PgsConfigurationException("the GenServer bean '" + bean + "' (" + cls.getName()
                        + ") is a singleton, but each activation of a server needs an instance of its own.",
                        "Annotate the class with @PersistentServer, or declare the bean with "
                                + "@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE).");
            }
            String name = ServerType.defaultName(cls);
            TypeOptions options = options(name, defaults, perType);
            ServerType<?, ?> type = fromBean(cls, () -> beans.getBean(bean), name, options);
            put(byName, source, type, "bean '" + bean + "'");
        }
        for (Map.Entry<String, ServerType> e : beans.getBeansOfType(ServerType.class, false, false).entrySet()) {
            ServerType<?, ?> given = e.getValue();
            ServerType<?, ?> type = perType.containsKey(given.name())
                    ? withOptions(given, options(given.name(), given.options(), perType)) : given;
            put(byName, source, type, "ServerType bean '" + e.getKey() + "'");
        }
        List<String> unknown = new ArrayList<>(perType.keySet());
        unknown.removeAll(byName.keySet());
        if (!unknown.isEmpty()) {
            throw new PgsConfigurationException("pgs.types names " + unknown + ", but the application registers "
                    + "no such type; its types are " + byName.keySet() + ".",
                    "Correct the type names under pgs.types (they are @TypeName values), or register the types "
                            + "as @PersistentServer beans or ServerType beans.");
        }
        return List.copyOf(byName.values());
    }

    private static void put(Map<String, ServerType<?, ?>> byName, Map<String, String> source, ServerType<?, ?> type,
                            String from) {
        String earlier = source.putIfAbsent(type.name(), from);
        if (earlier != null) {
            throw new PgsConfigurationException("two types are named '" + type.name() + "': " + earlier + " and "
                    + from + ".", "Give one of them another @TypeName, or remove one of the beans.");
        }
        byName.put(type.name(), type);
    }

    private static TypeOptions options(String name, TypeOptions base, Map<String, TypeProperties> perType) {
        TypeProperties p = perType.get(name);
        if (p == null) {
            return base;
        }
        try {
            return p.applyTo(base);
        } catch (IllegalArgumentException e) {
            throw new PgsConfigurationException("pgs.types." + name + ": " + e.getMessage(),
                    "Fix the pgs.types." + name + ".* settings (or pgs.defaults.*) named.");
        }
    }

    /** Options of {@code pgs.defaults} over the library defaults. */
    public static TypeOptions defaults(TypeProperties p) {
        try {
            return p.applyTo(TypeOptions.DEFAULTS);
        } catch (IllegalArgumentException e) {
            throw new PgsConfigurationException("pgs.defaults: " + e.getMessage(),
                    "Fix the pgs.defaults.* settings named.");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServerType<?, ?> fromBean(Class<?> cls, Supplier<?> factory, String name, TypeOptions options) {
        try {
            ServerType.Builder b = ServerType.builder((Class) cls);
            b.name(name).factory((Supplier) factory).options(options);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new PgsConfigurationException(cls.getName() + " cannot be a server type: " + e.getMessage(),
                    "Declare the class as implementing GenServer<A, S> with concrete A and S, or register a "
                            + "ServerType bean that names them.");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServerType<?, ?> withOptions(ServerType<?, ?> type, TypeOptions options) {
        ServerType.Builder b = type.toBuilder();
        return b.options(options).build();
    }
}
