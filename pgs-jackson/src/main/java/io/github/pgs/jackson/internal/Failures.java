package io.github.pgs.jackson.internal;

import io.github.pgs.CodecException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.DatabindException;
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
 * <p>Jackson's own messages quote the input ("Unrecognized token 'hunter2'", "from String \"...\"") and name map
 * keys in their paths, and stored states can hold anything a user keeps, credentials included. So a message
 * here is rebuilt from parts that never come from the data: the target type, a kind of problem, the path with
 * bean property names and array indexes but map keys replaced by {@code [*]}, and the offset in the input.
 * Jackson's exceptions are therefore never kept as causes. An exception thrown by user code (a record's compact
 * constructor, an accessor, a {@code RefResolver}) is kept as the cause, since it carries the user's own
 * message and stack trace; what that message says is up to the user's code.
 */
public final class Failures {

    private static final int MAX_NAME = 64;
    private static final int MAX_DEFINITION_MESSAGE = 300;

    private Failures() {
    }

    /** The {@link CodecException} for a failure to decode as {@code type}. */
    public static CodecException decode(RuntimeException failure, Type type) {
        StringBuilder message = new StringBuilder("cannot decode JSON as ").append(type.getTypeName()).append(": ");
        Throwable cause = null;
        if (!(failure instanceof JacksonException e)) {
            // Not Jackson's: thrown by user code (a creator, a custom deserializer), so its message is the user's.
            return new CodecException(message.append(failure.getClass().getSimpleName()).toString(), failure);
        }
        SafeFailure safe = findSafe(e);
        if (safe != null) {
            message.append(safe.getOriginalMessage());
            cause = safe.getCause();
        } else if (e instanceof UnrecognizedPropertyException u) {
            message.append("unknown property '").append(name(u.getPropertyName())).append("' for ")
                    .append(simpleName(u.getReferringClass()))
                    .append(" (the class no longer has it: decoding would drop stored data)");
        } else if (e instanceof InvalidNullException n) {
            message.append("null or missing value for property '")
                    .append(n.getPropertyName() == null ? "?" : name(n.getPropertyName().getSimpleName()))
                    .append("' that does not accept null");
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
            cause = userCause(v);
            if (cause != null) {
                message.append(" (").append(cause.getClass().getSimpleName()).append(')');
            }
        } else if (e instanceof InvalidDefinitionException d) {
            message.append("the type cannot be mapped: ").append(truncate(d.getOriginalMessage()));
        } else if (e instanceof UnexpectedEndOfInputException) {
            message.append("truncated JSON");
        } else if (e instanceof InputCoercionException) {
            message.append("a number is out of range for its Java type");
        } else if (e instanceof StreamConstraintsException) {
            message.append("the input exceeds the parser's size or nesting limits");
        } else if (e instanceof StreamReadException r && r.getOriginalMessage() != null
                && r.getOriginalMessage().startsWith("Duplicate")) {
            message.append("a property appears twice in one object");
        } else if (e instanceof StreamReadException) {
            message.append("malformed JSON");
        } else if (e instanceof DatabindException) {
            message.append("cannot map the JSON (").append(e.getClass().getSimpleName()).append(')');
            cause = userCause(e);
        } else {
            message.append(e.getClass().getSimpleName());
        }
        appendWhere(message, e);
        return new CodecException(message.toString(), cause);
    }

    /** The {@link CodecException} for a failure to encode a value declared as {@code type}. */
    public static CodecException encode(RuntimeException failure, Type type) {
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
            message.append("the type cannot be mapped: ").append(truncate(d.getOriginalMessage()));
        } else if (cause != null) {
            message.append("an accessor or serializer threw ").append(cause.getClass().getSimpleName());
        } else {
            // Jackson's own encode messages describe types and structure (null map keys, cycles, limits).
            message.append(truncate(e.getOriginalMessage()));
        }
        appendWhere(message, e);
        return new CodecException(message.toString(), cause);
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

    private static void appendWhere(StringBuilder message, JacksonException e) {
        if (!e.getPath().isEmpty()) {
            message.append(" at $");
            for (JacksonException.Reference ref : e.getPath()) {
                if (ref.getIndex() >= 0) {
                    message.append('[').append(ref.getIndex()).append(']');
                } else if (ref.getPropertyName() != null) {
                    if (isMap(ref.from())) {
                        message.append("[*]");
                    } else {
                        message.append('.').append(name(ref.getPropertyName()));
                    }
                }
            }
        }
        TokenStreamLocation location = e.getLocation();
        if (location != null) {
            long offset = location.getByteOffset() >= 0 ? location.getByteOffset() : location.getCharOffset();
            if (offset >= 0) {
                message.append(" (offset ").append(offset).append(')');
            }
        }
    }

    private static boolean isMap(Object from) {
        return from instanceof Map<?, ?> || (from instanceof Class<?> c && Map.class.isAssignableFrom(c));
    }

    /** A property name as read from the data: shortened, and reduced to identifier characters. */
    private static String name(String raw) {
        if (raw == null) {
            return "?";
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX_NAME + 3));
        for (int i = 0; i < raw.length() && out.length() < MAX_NAME; i++) {
            char c = raw.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '$' || c == '-' || c == '.';
            out.append(plain ? c : '?');
        }
        if (raw.length() > MAX_NAME) {
            out.append("...");
        }
        return out.toString();
    }

    private static String simpleName(Class<?> type) {
        return type == null ? "?" : type.getSimpleName();
    }

    private static String truncate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_DEFINITION_MESSAGE ? message
                : message.substring(0, MAX_DEFINITION_MESSAGE) + "...";
    }
}
