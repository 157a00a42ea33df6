package io.github.pgs.internal;

import io.github.pgs.GenServer;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the type arguments a class gives a generic interface it implements (the {@code A} and {@code S} of
 * {@code GenServer<A, S>} for a behaviour, the {@code R} of {@code Call<R>} for a request), following
 * superclasses and superinterfaces and substituting type variables bound on the way. Unresolvable arguments come
 * back as {@code null} so that the caller can ask for them explicitly (or skip a check).
 */
final class Generics {

    private Generics() {
    }

    /** {@code [A, S]}, each {@code null} when it cannot be resolved to a concrete type. */
    public static Type[] genServerArguments(Class<?> behaviour) {
        return typeArguments(behaviour, GenServer.class);
    }

    /**
     * The type arguments {@code type} gives {@code generic} (an interface or class with type parameters), each
     * {@code null} when it cannot be resolved to a concrete type; all {@code null} if {@code type} does not extend
     * {@code generic} with arguments.
     */
    public static Type[] typeArguments(Class<?> type, Class<?> generic) {
        Type[] found = search(type, generic, new HashMap<>());
        return found != null ? found : new Type[generic.getTypeParameters().length];
    }

    /** The class a resolved type stands for ({@code List} for {@code List<String>}), or {@code null}. */
    public static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (t instanceof java.lang.reflect.GenericArrayType a) {
            Class<?> component = rawClass(a.getGenericComponentType());
            return component == null ? null : component.arrayType();
        }
        return null;
    }

    private static Type[] search(Type type, Class<?> generic, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw;
        if (type instanceof ParameterizedType p) {
            raw = (Class<?>) p.getRawType();
            TypeVariable<?>[] vars = raw.getTypeParameters();
            Type[] args = p.getActualTypeArguments();
            Map<TypeVariable<?>, Type> next = new HashMap<>(bindings);
            for (int i = 0; i < vars.length; i++) {
                next.put(vars[i], substitute(args[i], bindings));
            }
            bindings = next;
            if (raw == generic) {
                Type[] out = new Type[vars.length];
                for (int i = 0; i < vars.length; i++) {
                    out[i] = concrete(bindings.get(vars[i]));
                }
                return out;
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
            if (raw == generic) {
                return null;
            }
        } else {
            return null;
        }
        for (Type itf : raw.getGenericInterfaces()) {
            Type[] r = search(itf, generic, bindings);
            if (r != null) {
                return r;
            }
        }
        Type sup = raw.getGenericSuperclass();
        return sup == null ? null : search(sup, generic, bindings);
    }

    private static Type substitute(Type t, Map<TypeVariable<?>, Type> bindings) {
        if (t instanceof TypeVariable<?> v && bindings.containsKey(v)) {
            return bindings.get(v);
        }
        return t;
    }

    private static Type concrete(Type t) {
        return t instanceof TypeVariable<?> ? null : t;
    }
}
