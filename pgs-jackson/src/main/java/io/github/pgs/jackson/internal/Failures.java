package io.github.pgs.jackson.internal;

import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.RefTypeMismatchException;
import io.github.pgs.jackson.JsonStateCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidDefinitionException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Turns Jackson failures into {@link CodecException}s whose messages are safe to log.
 *
 * <p>Jackson's own messages quote the input ("Unrecognized token 'hunter2'", "from String value ('...')") and name
 * map keys in their paths, and stored states can hold anything a user keeps, credentials included. So a message
 * here is rebuilt from parts that never come from the data: the target type, a kind of problem, the limit that was
 * hit, the path with bean property names and array indexes but map keys replaced by {@code [*]}, and the offset in
 * the input. Property names from the data (an unknown property, the path through an object read as a class) are
 * shown only when they look like identifiers, as field names do; anything else is shown as {@code ?}. Jackson's
 * exceptions are never kept as causes. An exception thrown by other code while decoding (a record's constructor, a
 * JDK parser, a user's deserializer) is kept as a {@link MessageWithheldException}: its class and stack trace,
 * not its message, which often quotes the rejected value. The library's own exceptions (a
 * {@link GenServerException} from the {@code RefResolver}, such as a key over the runtime's limit) are kept as
 * they are: their messages follow the same rule.
 */
public final class Failures {

    private static final int MAX_NAME = 64;
    private static final int MAX_DEFINITION_MESSAGE = 300;

    private Failures() {
    }

    /** The {@link CodecException} for a failure to decode as {@code type} under {@code limits}. */
    public static CodecException decode(RuntimeException failure, Type type, JsonStateCodec.Limits limits) {
        String context = "cannot decode JSON as " + type.getTypeName();
        StringBuilder message = new StringBuilder(context).append(": ");
        Throwable cause = null;
        if (!(failure instanceof JacksonException e)) {
            // Not Jackson's: thrown by other code (a creator, a custom deserializer).
            return new CodecException(message.append(failure.getClass().getSimpleName()).toString(),
                    withheld(failure));
        }
        SafeFailure safe = findSafe(e);
        if (safe instanceof RefMismatch m) {
            return new RefTypeMismatchException(context, path(e), m.declaredType, m.actualType);
        }
        if (safe != null) {
            message.append(safe.getOriginalMessage());
            cause = withheld(safe.getCause());
        } else if (e instanceof UnrecognizedPropertyException u) {
            message.append("unknown property ").append(quoted(u.getPropertyName())).append(" for ")
                    .append(simpleName(u.getReferringClass()))
                    .append(" (the class no longer has it: decoding would drop stored data)");
        } else if (e instanceof InvalidNullException n) {
            message.append("null or missing value for property ")
                    .append(quoted(n.getPropertyName() == null ? null : n.getPropertyName().getSimpleName()))
                    .append(" that does not accept null");
        } else if (e instanceof InvalidTypeIdException) {
            message.append("missing, unknown or disallowed type id");
        } else if (e instanceof InvalidFormatException f) {
            message.append("a value has the wrong format for ").append(simpleName(f.getTargetType()));
        } else if (e instanceof MismatchedInputException m && m.getCurrentToken() == JsonToken.VALUE_NULL) {
            message.append("null is not allowed for ").append(simpleName(m.getTargetType()));
        } else if (e instanceof MismatchedInputException m) {
            message.append("the JSON does not match the expected shape");
            if (m.getTargetType() != null) {
                message.append(" of ").append(simpleName(m.getTargetType()));
            }
        } else if (e instanceof ValueInstantiationException v) {
            message.append("the creator of ").append(simpleName(v.getType().getRawClass()))
                    .append(" rejected the data");
            Throwable user = userCause(v);
            if (user != null) {
                message.append(" (").append(user.getClass().getSimpleName()).append(')');
            }
            cause = withheld(user);
        } else if (e instanceof InvalidDefinitionException d) {
            message.append("the type cannot be mapped: ").append(definition(d.getOriginalMessage()));
        } else if (e instanceof UnexpectedEndOfInputException) {
            message.append("truncated JSON");
        } else if (e instanceof InputCoercionException) {
            message.append("a number is out of range for its Java type");
        } else if (e instanceof StreamConstraintsException c) {
            message.append(limit(c, limits));
        } else if (e instanceof StreamReadException r && r.getOriginalMessage() != null
                && r.getOriginalMessage().startsWith("Duplicate")) {
            message.append("a property appears twice in one object");
        } else if (e instanceof StreamReadException) {
            message.append("malformed JSON");
        } else if (e instanceof DatabindException) {
            message.append("cannot map the JSON (").append(e.getClass().getSimpleName()).append(')');
            cause = withheld(userCause(e));
        } else {
            message.append(e.getClass().getSimpleName());
        }
        appendWhere(message, e);
        return new CodecException(message.toString(), cause);
    }

    /** The {@link CodecException} for a failure to encode a value declared as {@code type} under {@code limits}. */
    public static CodecException encode(RuntimeException failure, Type type, JsonStateCodec.Limits limits) {
        StringBuilder message = new StringBuilder("cannot encode ").append(type.getTypeName()).append(" as JSON: ");
        if (!(failure instanceof JacksonException e)) {
            return new CodecException(message.append(failure.getClass().getSimpleName()).toString(), failure);
        }
        SafeFailure safe = findSafe(e);
        Throwable cause = userCause(e);
        if (safe != null) {
            message.append(safe.getOriginalMessage());
            cause = safe.getCause();
        } else if (e instanceof InvalidDefinitionException d) {
            message.append("the type cannot be mapped: ").append(definition(d.getOriginalMessage()));
        } else if (e instanceof StreamConstraintsException c) {
            message.append(limit(c, limits)).append(", so it could not be read back");
        } else if (cause != null) {
            message.append("an accessor or serializer threw ").append(cause.getClass().getSimpleName());
        } else {
            // Jackson's own encode messages describe types and structure (null map keys, cycles).
            message.append(definition(e.getOriginalMessage()));
        }
        appendWhere(message, e);
        return new CodecException(message.toString(), cause);
    }

    /**
     * The {@link CodecException} for an encoded document that its codec's parser refused under {@code limits}: it
     * could not be read back, so it is not written.
     */
    public static CodecException unreadable(RuntimeException failure, Type type, JsonStateCodec.Limits limits) {
        String problem = failure instanceof StreamConstraintsException c ? limit(c, limits)
                : "it does not parse (" + failure.getClass().getSimpleName() + ")";
        StringBuilder message = new StringBuilder("cannot encode ").append(type.getTypeName()).append(" as JSON: ")
                .append(problem).append(", so it could not be read back");
        if (failure instanceof JacksonException e) {
            appendWhere(message, e);
        }
        return new CodecException(message.toString(), null);
    }

    /** Which of the codec's limits a constraint failure broke, named as on the codec's builder. */
    private static String limit(StreamConstraintsException e, JsonStateCodec.Limits limits) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (m.startsWith("Document nesting depth")) {
            return "the JSON nests deeper than maxNestingDepth (" + limits.maxNestingDepth() + ")";
        } else if (m.startsWith("String value length")) {
            return "a string is longer than maxStringLength (" + limits.maxStringLength() + " characters)";
        } else if (m.startsWith("Name length")) {
            return "a property name or map key is longer than maxNameLength (" + limits.maxNameLength()
                    + " characters)";
        } else if (m.startsWith("Number value length")) {
            return "a number has more digits than maxNumberLength (" + limits.maxNumberLength() + ")";
        } else if (m.startsWith("Document length")) {
            return "the JSON is longer than maxDocumentBytes (" + limits.maxDocumentBytes() + ")";
        } else if (m.startsWith("BigDecimal scale")) {
            return "a number has a decimal exponent beyond maxNumberScale (" + limits.maxNumberScale() + ")";
        }
        return "the JSON exceeds one of the codec's size or nesting limits";
    }

    /**
     * A Jackson message about a type definition, cut before any value it quotes ("... from String value ('x')")
     * and shortened.
     */
    private static String definition(String message) {
        if (message == null) {
            return "";
        }
        int quote = message.indexOf(" value (");
        String safe = quote >= 0 ? message.substring(0, quote + " value".length()) : message;
        return safe.length() <= MAX_DEFINITION_MESSAGE ? safe : safe.substring(0, MAX_DEFINITION_MESSAGE) + "...";
    }

    private static SafeFailure findSafe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SafeFailure s) {
                return s;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The first cause that is not one of Jackson's exceptions, if any. */
    private static Throwable userCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (!(t instanceof JacksonException)) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** {@code cause} as a decode failure may carry it: the library's own as is, any other without its message. */
    private static Throwable withheld(Throwable cause) {
        return cause == null || cause instanceof GenServerException ? cause : MessageWithheldException.of(cause);
    }

    private static void appendWhere(StringBuilder message, JacksonException e) {
        if (!e.getPath().isEmpty()) {
            message.append(" at ").append(path(e));
        }
        TokenStreamLocation location = e.getLocation();
        if (location != null) {
            long offset = location.getByteOffset() >= 0 ? location.getByteOffset() : location.getCharOffset();
            if (offset >= 0) {
                message.append(" (offset ").append(offset).append(')');
            }
        }
    }

    /** The path to the failure: {@code $}, then {@code .name} for properties, {@code [i]} and {@code [*]}. */
    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder("$");
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getPropertyName() != null) {
                if (isMap(ref.from())) {
                    path.append("[*]");
                } else {
                    path.append('.').append(name(ref.getPropertyName()));
                }
            }
        }
        return path.toString();
    }

    /** Whether a path step is into a map or a JSON object tree, whose property names are data. */
    private static boolean isMap(Object from) {
        return from instanceof Map<?, ?> || from instanceof JsonNode
                || (from instanceof Class<?> c
                        && (Map.class.isAssignableFrom(c) || JsonNode.class.isAssignableFrom(c)));
    }

    /** A property name read from the data, if it looks like an identifier; {@code ?} otherwise. */
    private static String name(String raw) {
        return identifier(raw) ? raw : "?";
    }

    /** {@code 'name'} for a property name that looks like an identifier, a description of it otherwise. */
    private static String quoted(String raw) {
        return identifier(raw) ? "'" + raw + "'" : "(a name that is not an identifier)";
    }

    /** Up to {@value #MAX_NAME} characters {@code [A-Za-z_$][A-Za-z0-9_$.-]*}, the shape of field names. */
    private static boolean identifier(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_NAME) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
            boolean other = (c >= '0' && c <= '9') || c == '-' || c == '.';
            if (!(letter || (i > 0 && other))) {
                return false;
            }
        }
        return true;
    }

    private static String simpleName(Class<?> type) {
        return type == null ? "?" : type.getSimpleName();
    }
}
