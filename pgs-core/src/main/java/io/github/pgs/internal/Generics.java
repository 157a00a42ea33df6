package io.github.pgs.internal;

import io.github.pgs.GenServer;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the {@code A} and {@code S} of {@code GenServer<A, S>} from a behaviour class, following superclasses
 * and superinterfaces and substituting type variables bound on the way. Unresolvable arguments come back as
 * {@code null} so that the caller can ask for them explicitly.
 */
public final class Generics {

    private Generics() {
    }

    /** {@code [A, S]}, each {@code null} when it cannot be resolved to a concrete type. */
    public static Type[] genServerArguments(Class<?> behaviour) {
        Type[] found = search(behaviour, new HashMap<>());
        return found != null ? found : new Type[2];
    }

    private static Type[] search(Type type, Map<TypeVariable<?>, Type> bindings) {
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
            if (raw == GenServer.class) {
                return new Type[]{concrete(bindings.get(vars[0])), concrete(bindings.get(vars[1]))};
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
            if (raw == GenServer.class) {
                return null;
            }
        } else {
            return null;
        }
        for (Type itf : raw.getGenericInterfaces()) {
            Type[] r = search(itf, bindings);
            if (r != null) {
                return r;
            }
        }
        Type sup = raw.getGenericSuperclass();
        return sup == null ? null : search(sup, bindings);
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
