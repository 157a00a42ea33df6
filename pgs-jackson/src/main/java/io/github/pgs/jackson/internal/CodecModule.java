package io.github.pgs.jackson.internal;

import io.github.pgs.GenServer;
import io.github.pgs.RefTo;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.spi.RefResolver;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ContextualKeyDeserializer;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.LogicalType;

/**
 * The Jackson module the codec always installs.
 *
 * <ul>
 *   <li>{@link ServerRef} is written as its {@link ServerId} string form, as a value and as a map key. On read
 *       the string is parsed and handed to the {@link RefResolver} found in the read's context attributes under
 *       {@link #RESOLVER_ATTRIBUTE}: refs have no public constructor, and one mapper serves every runtime, so the
 *       resolver travels with each read rather than with the mapper.</li>
 *   <li>{@link Class} and {@link JavaType} values and keys are refused both ways: reading them means loading a
 *       class named by the data, which is exactly the hazard polymorphic typing is disabled for.</li>
 *   <li>{@link CanonicalOrder} makes sets and maps with incomparable keys encode deterministically.</li>
 * </ul>
 *
 * <p>Failures are {@link SafeFailure}s whose messages never quote the data.
 */
public final class CodecModule extends SimpleModule {

    /** The context attribute key under which each read carries its {@link RefResolver}. */
    public static final Object RESOLVER_ATTRIBUTE = RefResolver.class;

    public CodecModule() {
        super("pgs-codec");
        addSerializer(ServerRef.class, new RefSerializer());
        addKeySerializer(ServerRef.class, new RefKeySerializer());
        addDeserializer(ServerRef.class, new RefDeserializer());
        addKeyDeserializer(ServerRef.class, new RefKeyDeserializer());

        addSerializer(Class.class, new RefusingSerializer<>(Class.class));
        addKeySerializer(Class.class, new RefusingSerializer<>(Class.class));
        addDeserializer(Class.class, new RefusingDeserializer<>(Class.class));
        addKeyDeserializer(Class.class, new RefusingKeyDeserializer(Class.class));
        addSerializer(JavaType.class, new RefusingSerializer<>(JavaType.class));
        addDeserializer(JavaType.class, new RefusingDeserializer<>(JavaType.class));
        addKeyDeserializer(JavaType.class, new RefusingKeyDeserializer(JavaType.class));

        setSerializerModifier(new CanonicalOrder());
    }

    /**
     * The ref {@code text} stands for, made by the read's resolver; {@code declared} is the behaviour the property
     * declares with {@link RefTo}, or {@code null}.
     */
    static ServerRef resolveRef(String text, DeserializationContext ctxt, Class<? extends GenServer<?, ?>> declared) {
        Object attribute = ctxt.getAttribute(RESOLVER_ATTRIBUTE);
        if (!(attribute instanceof RefResolver resolver)) {
            throw new SafeFailure("the data holds a ServerRef but no RefResolver was given to decode it");
        }
        ServerId id;
        try {
            id = ServerId.parse(text);
        } catch (IllegalArgumentException e) {
            // The parser's message quotes the text, so it is not kept as the cause.
            throw new SafeFailure("a ServerRef is not in the server id form type:key");
        }
        if (declared != null) {
            String expected;
            try {
                expected = resolver.typeName(declared);
            } catch (RuntimeException e) {
                throw new SafeFailure("the RefResolver failed to name the type of " + declared.getName(), e);
            }
            if (!id.type().equals(expected)) {
                throw new RefMismatch(expected, id.type());
            }
        }
        ServerRef ref;
        try {
            ref = resolver.resolve(id);
        } catch (RuntimeException e) {
            throw new SafeFailure("the RefResolver failed to resolve a ServerRef of type '" + id.type() + "'", e);
        }
        if (ref == null) {
            throw new SafeFailure("the RefResolver returned null for a ServerRef of type '" + id.type() + "'");
        }
        return ref;
    }

    /** The behaviour {@code property} declares its refs to point to, or {@code null}. */
    private static Class<? extends GenServer<?, ?>> declared(BeanProperty property) {
        RefTo to = property == null ? null : property.getAnnotation(RefTo.class);
        return to == null ? null : to.value();
    }

    private static String refused(Class<?> type) {
        return type.getSimpleName() + " values are not supported: reading them would load classes named by the"
                + " stored data";
    }

    private static final class RefSerializer extends StdSerializer<ServerRef> {

        RefSerializer() {
            super(ServerRef.class);
        }

        @Override
        public void serialize(ServerRef value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(value.toString());
        }
    }

    private static final class RefKeySerializer extends StdSerializer<ServerRef> {

        RefKeySerializer() {
            super(ServerRef.class);
        }

        @Override
        public void serialize(ServerRef value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeName(value.toString());
        }
    }

    private static final class RefDeserializer extends StdScalarDeserializer<ServerRef> {

        private final Class<? extends GenServer<?, ?>> declared;

        RefDeserializer() {
            this(null);
        }

        private RefDeserializer(Class<? extends GenServer<?, ?>> declared) {
            super(ServerRef.class);
            this.declared = declared;
        }

        @Override
        public ValueDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            Class<? extends GenServer<?, ?>> d = declared(property);
            return d == declared ? this : new RefDeserializer(d);
        }

        @Override
        public ServerRef deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (ServerRef) ctxt.handleUnexpectedToken(ServerRef.class, p);
            }
            return resolveRef(p.getString(), ctxt, declared);
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.OtherScalar;
        }
    }

    private static final class RefKeyDeserializer extends KeyDeserializer implements ContextualKeyDeserializer {

        private final Class<? extends GenServer<?, ?>> declared;

        RefKeyDeserializer() {
            this(null);
        }

        private RefKeyDeserializer(Class<? extends GenServer<?, ?>> declared) {
            this.declared = declared;
        }

        @Override
        public KeyDeserializer createContextual(DeserializationContext ctxt, BeanProperty property) {
            Class<? extends GenServer<?, ?>> d = declared(property);
            return d == declared ? this : new RefKeyDeserializer(d);
        }

        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) {
            return resolveRef(key, ctxt, declared);
        }
    }

    private static final class RefusingSerializer<T> extends StdSerializer<T> {

        RefusingSerializer(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializationContext ctxt) {
            throw new SafeFailure(refused(handledType()));
        }
    }

    private static final class RefusingDeserializer<T> extends StdScalarDeserializer<T> {

        RefusingDeserializer(Class<T> type) {
            super(type);
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            throw new SafeFailure(refused(handledType()));
        }
    }

    private static final class RefusingKeyDeserializer extends KeyDeserializer {

        private final Class<?> type;

        RefusingKeyDeserializer(Class<?> type) {
            this.type = type;
        }

        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) {
            throw new SafeFailure(refused(type));
        }
    }
}
