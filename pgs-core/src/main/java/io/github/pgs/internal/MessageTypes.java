package io.github.pgs.internal;

import io.github.pgs.ServerType;

import java.util.HashMap;
import java.util.Map;

/**
 * The classes a type accepts as messages from another node: the only classes the owner ever decodes a message
 * into, looked up by the binary name the wire carries, never loaded by it. By default: the records and enums
 * declared inside the behaviour class (at any depth), the permitted subclasses of sealed interfaces and classes
 * declared there, {@code String} and the boxed primitives; plus what the type's {@code messages(...)} adds (a
 * sealed type adds its permitted subclasses, recursively). Computed on first use, only when a placement is set.
 */
final class MessageTypes {

    private static final Class<?>[] BUILT_IN = {String.class, Boolean.class, Byte.class, Short.class, Integer.class,
            Long.class, Float.class, Double.class, Character.class};

    private MessageTypes() {
    }

    static Map<String, Class<?>> of(ServerType<?, ?> spec) {
        Map<String, Class<?>> out = new HashMap<>();
        for (Class<?> c : BUILT_IN) {
            out.put(c.getName(), c);
        }
        nested(spec.behaviour(), out);
        for (Class<?> c : spec.messages()) {
            add(c, out);
        }
        return Map.copyOf(out);
    }

    private static void nested(Class<?> owner, Map<String, Class<?>> out) {
        for (Class<?> c : owner.getDeclaredClasses()) {
            if (c.isRecord() || c.isEnum() || c.isSealed()) {
                add(c, out);
            }
            nested(c, out);
        }
    }

    private static void add(Class<?> c, Map<String, Class<?>> out) {
        if (c.isSealed()) {
            for (Class<?> sub : c.getPermittedSubclasses()) {
                add(sub, out);
            }
        }
        if (!c.isInterface() && !java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
            out.put(c.getName(), c);
        }
    }
}
