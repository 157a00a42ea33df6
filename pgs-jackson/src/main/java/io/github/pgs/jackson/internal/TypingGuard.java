package io.github.pgs.jackson.internal;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.AnnotationIntrospector;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.AnnotationIntrospectorPair;
import tools.jackson.databind.introspect.NopAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.NamedType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

import java.util.Collection;

/**
 * Keeps stored data from choosing which classes get loaded or instantiated.
 *
 * <p>Three locks, each enough for the hazards it covers, applied last to whatever mapper builder the user
 * configured:
 * <ol>
 *   <li>Default typing is deactivated, so no type id is written or read for values that did not ask for
 *       one.</li>
 *   <li>The annotation introspector is wrapped so that a type id based on class names
 *       ({@code @JsonTypeInfo(use = CLASS | MINIMAL_CLASS | CUSTOM)}) or a custom type resolver
 *       ({@code @JsonTypeResolver}, {@code @JsonTypeIdResolver}) on a state class, a property or a mix-in fails
 *       when Jackson first builds a serializer or deserializer for it, on encode as on decode, so a state that
 *       could not be read back is never written. Type ids by name ({@code Id.NAME}, {@code Id.SIMPLE_NAME})
 *       and deduction stay allowed: they select only among subtypes declared in code ({@code @JsonSubTypes},
 *       sealed {@code permits}).</li>
 *   <li>The polymorphic type validator refuses class-name type ids outright and lets a class name through only
 *       when it names a subtype declared in code, in case a class name reaches Jackson by a path the
 *       introspector does not see.</li>
 * </ol>
 */
public final class TypingGuard {

    private TypingGuard() {
    }

    /** Applies the three locks to {@code builder}. Idempotent. */
    public static void apply(JsonMapper.Builder builder) {
        builder.deactivateDefaultTyping();
        builder.polymorphicTypeValidator(DeclaredSubtypesOnly.INSTANCE);
        AnnotationIntrospector current = builder.annotationIntrospector();
        if (!(current instanceof Introspector)) {
            builder.annotationIntrospector(new Introspector(
                    current != null ? current : NopAnnotationIntrospector.instance));
        }
    }

    private static SafeFailure refused(Annotated where, String what) {
        return new SafeFailure(what + " on " + where.getName() + " is not supported by the JSON state codec:"
                + " stored data must never name the classes to instantiate (use Id.NAME with declared subtypes)");
    }

    private static final class Introspector extends AnnotationIntrospectorPair {

        Introspector(AnnotationIntrospector delegate) {
            super(delegate, NopAnnotationIntrospector.instance);
        }

        @Override
        public JsonTypeInfo.Value findPolymorphicTypeInfo(MapperConfig<?> config, Annotated ann) {
            JsonTypeInfo.Value info = super.findPolymorphicTypeInfo(config, ann);
            if (info != null) {
                switch (info.getIdType()) {
                    case CLASS, MINIMAL_CLASS, CUSTOM ->
                            throw refused(ann, "@JsonTypeInfo(use = " + info.getIdType() + ")");
                    default -> {
                    }
                }
            }
            return info;
        }

        @Override
        public Object findTypeResolverBuilder(MapperConfig<?> config, Annotated ann) {
            Object builder = super.findTypeResolverBuilder(config, ann);
            if (builder != null) {
                throw refused(ann, "a custom type resolver (@JsonTypeResolver)");
            }
            return null;
        }

        @Override
        public Object findTypeIdResolver(MapperConfig<?> config, Annotated ann) {
            Object resolver = super.findTypeIdResolver(config, ann);
            if (resolver != null) {
                throw refused(ann, "a custom type id resolver (@JsonTypeIdResolver)");
            }
            return null;
        }
    }

    /**
     * Denies every class-name-based base type outright, and lets a class name through only when it names a
     * subtype declared in code for the base type ({@code @JsonSubTypes} on the class, sealed {@code permits},
     * registered subtypes). Jackson's {@code Id.DEDUCTION} resolves the subtype it deduced by class name, and
     * those names come from the declarations, so deduction keeps working.
     */
    private static final class DeclaredSubtypesOnly extends PolymorphicTypeValidator {

        static final DeclaredSubtypesOnly INSTANCE = new DeclaredSubtypesOnly();

        @Override
        public Validity validateBaseType(DatabindContext ctxt, JavaType baseType) {
            return Validity.DENIED;
        }

        @Override
        public Validity validateSubClassName(DatabindContext ctxt, JavaType baseType, String subClassName) {
            for (NamedType declared : declaredSubtypes(ctxt, baseType)) {
                if (declared.getType().getName().equals(subClassName)) {
                    return Validity.ALLOWED;
                }
            }
            return Validity.DENIED;
        }

        @Override
        public Validity validateSubType(DatabindContext ctxt, JavaType baseType, JavaType subType) {
            for (NamedType declared : declaredSubtypes(ctxt, baseType)) {
                if (declared.getType() == subType.getRawClass()) {
                    return Validity.ALLOWED;
                }
            }
            return Validity.DENIED;
        }

        private static Collection<NamedType> declaredSubtypes(DatabindContext ctxt, JavaType baseType) {
            return ctxt.getConfig().getSubtypeResolver().collectAndResolveSubtypesByClass(
                    ctxt.getConfig(), ctxt.introspectClassAnnotations(baseType));
        }
    }
}
