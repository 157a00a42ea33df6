package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.InitRejectedException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.NoSuchServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.RuntimeClosedException;
import io.github.pgs.SelfCallException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerStoppedException;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.StopReason;
import io.github.pgs.StorageException;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.cluster.pekko.MessageNotTransferableException;
import io.github.pgs.cluster.pekko.NotDeliveredException;
import io.github.pgs.cluster.pekko.RemoteCause;
import io.github.pgs.cluster.pekko.RemoteFailureException;
import io.github.pgs.cluster.pekko.ReplyNotTransferableException;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Carries the library's typed failures across nodes: {@link #toWire} on the owning node, {@link #fromWire} at the
 * caller, which gets the same exception class with the same domain fields. Causes cross as {@link RemoteCause}
 * (class name and message only). An exception that is not one of the library's own becomes a
 * {@link RemoteFailureException}; an unknown kind (a newer peer) becomes a plain {@link GenServerException}.
 *
 * <p>Hazard: the order of the {@code instanceof} checks matters where classes extend one another (the cluster's
 * own codec exceptions extend {@link CodecException}); subclasses come first.
 */
public final class Errors {

    private Errors() {
    }

    /** The wire form of {@code error} (unwrapping completion wrappers), raised for server {@code server}. */
    public static RemoteError toWire(ServerId server, Throwable error) {
        Throwable e = unwrap(error);
        if (!(e instanceof GenServerException g)) {
            return new RemoteError("other", server == null ? "" : server.toString(), "", 0, 0, describe(e));
        }
        String id = g.serverId() == null ? "" : g.serverId().toString();
        String msg = stripPrefix(g);
        return switch (g) {
            case CallTimeoutException t -> new RemoteError("timeout", id, msg, t.timeout().toMillis(), 0, "");
            case ServerCrashedException c -> new RemoteError("crashed", id, msg, 0, 0, causeText(c));
            case PersistenceException p -> new RemoteError("persistence", id, msg, 0, 0, causeText(p));
            case MailboxFullException m -> new RemoteError("mailbox-full", id, msg, m.capacity(), 0, "");
            case InitRejectedException i -> i.ignored()
                    ? new RemoteError("init-ignored", id, msg, 0, 0, "")
                    : new RemoteError("init-rejected", id, msg, i.reason().kind().ordinal(), 0,
                            i.reason().detail());
            case QuarantinedException q -> new RemoteError("quarantined", id, msg, 0, 0,
                    q.lastFailure() == null ? "" : q.lastFailure());
            case NoSuchServerException n -> new RemoteError("no-such-server", id, msg, 0, 0, "");
            case RuntimeClosedException r -> new RemoteError("runtime-closed", id, msg, 0, 0, "");
            case SelfCallException s -> new RemoteError("self-call", id, msg, 0, 0, "");
            case ServerStoppedException s -> new RemoteError("stopped", id, msg, s.reason().kind().ordinal(), 0,
                    s.reason().detail());
            case StateTooLargeException s -> new RemoteError("state-too-large", id, msg, s.size(), s.limit(), "");
            case KeyTooLongException k -> new RemoteError("key-too-long", id, msg, k.size(), k.limit(),
                    typeOfKeyTooLong(k));
            case UnknownServerTypeException u -> new RemoteError("unknown-type", id, msg, 0, 0, u.typeName());
            case VersionConflictException v -> new RemoteError("version-conflict", id, msg, v.expectedVersion(),
                    v.actualVersion(), "");
            case NotDeliveredException n -> new RemoteError("not-delivered", id, msg, 0, 0, "");
            case ReplyNotTransferableException r -> new RemoteError("reply-not-transferable", id, msg, 0, 0,
                    causeText(r));
            case MessageNotTransferableException m -> new RemoteError("message-not-transferable", id, msg, 0, 0,
                    m.messageClass());
            case StorageException s -> new RemoteError("storage", id, msg, 0, 0, causeText(s));
            case CodecException c -> new RemoteError("codec", id, msg, 0, 0, causeText(c));
            default -> new RemoteError("generic", id, msg, 0, 0, causeText(g));
        };
    }

    /** The exception that {@code error} stands for, as thrown at the caller. */
    public static GenServerException fromWire(RemoteError error) {
        ServerId id = error.serverId().isEmpty() ? null : ServerId.parse(error.serverId());
        String msg = error.message();
        RemoteCause cause = cause(error.text());
        return switch (error.kind()) {
            case "timeout" -> new CallTimeoutException(id, Duration.ofMillis(error.first()));
            case "crashed" -> new ServerCrashedException(id, cause);
            case "persistence" -> new PersistenceException(id, cause);
            case "mailbox-full" -> new MailboxFullException(id, (int) error.first());
            case "init-ignored" -> new InitRejectedException(id, null);
            case "init-rejected" -> new InitRejectedException(id, reason(error));
            case "quarantined" -> new QuarantinedException(id, error.text(), null);
            case "no-such-server" -> new NoSuchServerException(id);
            case "runtime-closed" -> new RuntimeClosedException(id);
            case "self-call" -> new SelfCallException(id);
            case "stopped" -> new ServerStoppedException(id, reason(error));
            case "state-too-large" -> new StateTooLargeException(id, (int) error.first(), (int) error.second());
            case "key-too-long" -> new KeyTooLongException(error.text(), (int) error.first(), (int) error.second());
            case "unknown-type" -> new UnknownServerTypeException(error.text());
            case "version-conflict" -> new VersionConflictException(id, error.first(), error.second());
            case "not-delivered" -> new NotDeliveredException(id, msg.startsWith("not delivered: ")
                    ? msg.substring("not delivered: ".length()) : msg);
            case "reply-not-transferable" -> new ReplyNotTransferableException(id, msg, cause);
            case "message-not-transferable" -> new MessageNotTransferableException(id, error.text(), msg, null);
            case "storage" -> new StorageException(id, msg, cause);
            case "codec" -> new CodecException(id, msg, cause);
            case "other" -> new RemoteFailureException(id, cause == null ? new RemoteCause("unknown", null) : cause);
            default -> new GenServerException(id, msg, cause);
        };
    }

    /** {@code error} without {@link CompletionException} / {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static StopReason reason(RemoteError error) {
        StopReason.Kind[] kinds = StopReason.Kind.values();
        int k = (int) error.first();
        StopReason.Kind kind = k >= 0 && k < kinds.length ? kinds[k] : StopReason.Kind.ERROR;
        return new StopReason(kind, error.text(), null);
    }

    private static String stripPrefix(GenServerException g) {
        String m = g.getMessage() == null ? "" : g.getMessage();
        if (g.serverId() != null) {
            String prefix = g.serverId() + ": ";
            if (m.startsWith(prefix)) {
                return m.substring(prefix.length());
            }
        }
        return m;
    }

    private static String typeOfKeyTooLong(KeyTooLongException k) {
        String m = k.getMessage() == null ? "" : k.getMessage();
        // "key of type <name> is ..." is how the core words it; the type name is the domain field we need.
        int at = m.indexOf("type ");
        if (at >= 0) {
            int end = m.indexOf(' ', at + 5);
            return m.substring(at + 5, end < 0 ? m.length() : end);
        }
        return "";
    }

    private static String causeText(Throwable t) {
        Throwable c = t.getCause();
        return c == null ? "" : describe(c);
    }

    /** {@code class\nmessage}: what crosses for a cause. */
    private static String describe(Throwable c) {
        if (c instanceof RemoteCause r) {
            String m = r.getMessage();
            String rest = m.length() > r.className().length() + 2 ? m.substring(r.className().length() + 2) : "";
            return r.className() + "\n" + rest;
        }
        return c.getClass().getName() + "\n" + (c.getMessage() == null ? "" : c.getMessage());
    }

    private static RemoteCause cause(String text) {
        if (text.isEmpty()) {
            return null;
        }
        int nl = text.indexOf('\n');
        if (nl < 0) {
            return new RemoteCause(text, null);
        }
        String m = text.substring(nl + 1);
        return new RemoteCause(text.substring(0, nl), m.isEmpty() ? null : m);
    }
}
