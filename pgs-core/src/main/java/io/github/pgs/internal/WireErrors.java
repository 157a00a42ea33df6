package io.github.pgs.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.InitRejectedException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.MessageNotDeclaredException;
import io.github.pgs.NoSuchServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ReplyTypeException;
import io.github.pgs.RuntimeClosedException;
import io.github.pgs.SelfCallException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerStoppedException;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.StopReason;
import io.github.pgs.StorageException;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.placement.WireError;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The exception family across nodes: a {@link GenServerException} becomes a {@link WireError} (its class's simple
 * name, its server, its message without the server prefix, its domain fields) and back into the same class with
 * the same fields on the sender's side. A cause that is not itself of the family travels as its description only
 * (a handler's exception class may not exist on the sender's node, and is never instantiated from the wire); the
 * cause of a {@link PersistenceException} travels as a nested error. An exception of another class arrives as the
 * nearest class of the family it extends, with its message.
 */
final class WireErrors {

    private static final String CAUSE = "cause.";

    private WireErrors() {
    }

    static WireError toWire(Throwable t) {
        GenServerException g = t instanceof GenServerException e ? e
                : new GenServerException(null, "the owner failed: " + t.getClass().getName(), null);
        Map<String, String> f = new HashMap<>();
        String kind = switch (g) {
            case CallTimeoutException e -> {
                f.put("timeoutNanos", Long.toString(e.timeout().toNanos()));
                yield "CallTimeoutException";
            }
            case ServerCrashedException e -> {
                f.put("failure", describe(e.getCause()));
                yield "ServerCrashedException";
            }
            case QuarantinedException e -> {
                f.put("lastFailure", e.lastFailure());
                yield "QuarantinedException";
            }
            case VersionConflictException e -> {
                f.put("expected", Long.toString(e.expectedVersion()));
                f.put("actual", Long.toString(e.actualVersion()));
                yield "VersionConflictException";
            }
            case StateTooLargeException e -> sizes(f, e.size(), e.limit(), "StateTooLargeException");
            case KeyTooLongException e -> {
                f.put("type", e.typeName());
                yield sizes(f, e.size(), e.limit(), "KeyTooLongException");
            }
            case MailboxFullException e -> {
                f.put("capacity", Integer.toString(e.capacity()));
                yield "MailboxFullException";
            }
            case InitRejectedException e -> reason(f, e.reason(), "InitRejectedException");
            case ServerStoppedException e -> reason(f, e.reason(), "ServerStoppedException");
            case PersistenceException e -> {
                if (e.getCause() != null) {
                    WireError cause = toWire(e.getCause());
                    f.put(CAUSE + "kind", cause.kind());
                    f.put(CAUSE + "message", cause.message());
                    cause.fields().forEach((k, v) -> f.put(CAUSE + k, v));
                }
                yield "PersistenceException";
            }
            case ReplyTypeException e -> {
                f.put("request", e.requestType());
                f.put("expected", e.expectedType());
                f.put("actual", e.actualType());
                yield "ReplyTypeException";
            }
            case MessageNotDeclaredException e -> {
                f.put("type", e.typeName());
                f.put("class", e.messageClass());
                yield "MessageNotDeclaredException";
            }
            case UnknownServerTypeException e -> {
                f.put("type", e.typeName());
                yield "UnknownServerTypeException";
            }
            case ServerUnreachableException e -> {
                f.put("retrySafe", Boolean.toString(e.retrySafe()));
                yield "ServerUnreachableException";
            }
            case NoSuchServerException e -> "NoSuchServerException";
            case RuntimeClosedException e -> "RuntimeClosedException";
            case SelfCallException e -> "SelfCallException";
            case StorageException e -> "StorageException";
            case CodecException e -> "CodecException";
            default -> "GenServerException";
        };
        ServerId id = g.serverId();
        return new WireError(kind, id == null ? "" : id.toString(), bare(g), f);
    }

    static GenServerException fromWire(WireError w, ServerId fallback) {
        ServerId id = w.server().isEmpty() ? null : parse(w.server(), fallback);
        Map<String, String> f = w.fields();
        try {
            return switch (w.kind()) {
                case "CallTimeoutException" -> new CallTimeoutException(id,
                        Duration.ofNanos(num(f, "timeoutNanos")));
                case "ServerCrashedException" -> new ServerCrashedException(id,
                        f.getOrDefault("failure", w.message()));
                case "QuarantinedException" -> new QuarantinedException(id, f.getOrDefault("lastFailure", ""), null);
                case "VersionConflictException" -> new VersionConflictException(id, num(f, "expected"),
                        num(f, "actual"));
                case "StateTooLargeException" -> new StateTooLargeException(id, (int) num(f, "size"),
                        (int) num(f, "limit"));
                case "KeyTooLongException" -> new KeyTooLongException(f.getOrDefault("type", ""), (int) num(f, "size"),
                        (int) num(f, "limit"));
                case "MailboxFullException" -> new MailboxFullException(id, (int) num(f, "capacity"));
                case "InitRejectedException" -> new InitRejectedException(id, reason(f));
                case "ServerStoppedException" -> new ServerStoppedException(id, reason(f) == null ? StopReason.NORMAL
                        : reason(f));
                case "PersistenceException" -> new PersistenceException(id, cause(f, id));
                case "ReplyTypeException" -> new ReplyTypeException(id, f.get("request"), f.get("expected"),
                        f.get("actual"));
                case "MessageNotDeclaredException" -> new MessageNotDeclaredException(f.get("type"), f.get("class"));
                case "UnknownServerTypeException" -> new UnknownServerTypeException(f.get("type"));
                case "ServerUnreachableException" -> new ServerUnreachableException(id, w.message(),
                        Boolean.parseBoolean(f.get("retrySafe")), null);
                case "NoSuchServerException" -> new NoSuchServerException(id);
                case "RuntimeClosedException" -> new RuntimeClosedException(id);
                case "SelfCallException" -> new SelfCallException(id);
                case "StorageException" -> new StorageException(id, w.message(), null);
                case "CodecException" -> new CodecException(id, w.message(), null);
                default -> new GenServerException(id, w.message());
            };
        } catch (RuntimeException malformed) {
            return new GenServerException(id, "a failure on the owner (" + w.kind() + ") could not be read back: "
                    + malformed.getMessage());
        }
    }

    private static String sizes(Map<String, String> f, int size, int limit, String kind) {
        f.put("size", Integer.toString(size));
        f.put("limit", Integer.toString(limit));
        return kind;
    }

    private static String reason(Map<String, String> f, StopReason r, String kind) {
        if (r != null) {
            f.put("reason", r.kind().name());
            f.put("detail", r.detail());
        }
        return kind;
    }

    private static StopReason reason(Map<String, String> f) {
        String kind = f.get("reason");
        return kind == null ? null : new StopReason(StopReason.Kind.valueOf(kind), f.getOrDefault("detail", ""), null);
    }

    private static GenServerException cause(Map<String, String> f, ServerId id) {
        if (!f.containsKey(CAUSE + "kind")) {
            return new StorageException(id, "unknown cause", null);
        }
        Map<String, String> nested = new HashMap<>();
        f.forEach((k, v) -> {
            if (k.startsWith(CAUSE) && !k.equals(CAUSE + "kind") && !k.equals(CAUSE + "message")) {
                nested.put(k.substring(CAUSE.length()), v);
            }
        });
        return fromWire(new WireError(f.get(CAUSE + "kind"), id == null ? "" : id.toString(),
                f.getOrDefault(CAUSE + "message", ""), nested), id);
    }

    /** The message as its constructor was given it: without the server id prefix the family adds. */
    private static String bare(GenServerException g) {
        String m = String.valueOf(g.getMessage());
        String prefix = g.serverId() == null ? null : g.serverId() + ": ";
        return prefix != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown cause"
                : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static long num(Map<String, String> f, String name) {
        String v = f.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing field " + name);
        }
        return Long.parseLong(v);
    }

    private static ServerId parse(String text, ServerId fallback) {
        try {
            return ServerId.parse(text);
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
