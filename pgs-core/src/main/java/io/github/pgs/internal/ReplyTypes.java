package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.ReplyTypeException;
import io.github.pgs.ServerId;

import java.lang.reflect.Type;

/**
 * The reply type a request class declares (the {@code R} of {@code Call<R>}), resolved once per class, and the
 * check that a reply is one. A request class whose {@code R} cannot be resolved to a concrete type (a type
 * variable) is not checked: nothing is known to check against.
 */
final class ReplyTypes {

    /** The declared {@code R}, or {@code null} when it is not a concrete type. */
    private static final ClassValue<Type> DECLARED = new ClassValue<>() {
        @Override
        protected Type computeValue(Class<?> request) {
            return Generics.typeArguments(request, Call.class)[0];
        }
    };

    /** The class a declared {@code R} stands for, or {@code null} when unknown. */
    private static final ClassValue<Class<?>> RAW = new ClassValue<>() {
        @Override
        protected Class<?> computeValue(Class<?> request) {
            Type t = DECLARED.get(request);
            return t == null ? null : Generics.rawClass(t);
        }
    };

    private ReplyTypes() {
    }

    /** The reply type {@code requestClass} declares, or {@code null} when it is not a concrete type. */
    static Type declared(Class<?> requestClass) {
        return DECLARED.get(requestClass);
    }

    /** {@code null} if {@code value} may answer {@code request}; otherwise the error naming the request and types. */
    static ReplyTypeException check(ServerId id, Call<?> request, Object value) {
        if (value == null) {
            return null;
        }
        Class<?> expected = RAW.get(request.getClass());
        if (expected == null || expected.isInstance(value)) {
            return null;
        }
        return new ReplyTypeException(id, request.getClass().getName(), DECLARED.get(request.getClass()).getTypeName(),
                value.getClass().getName());
    }
}
