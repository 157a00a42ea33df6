package io.github.pgs;

import io.github.pgs.internal.Registry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The symbolic reference to a server (the seed's symbolic PID): a type and a key, bound to a runtime. It is not
 * a live thread: a message through it activates the server if it is petrified (or was never started), from any
 * thread, at any time, even after the JVM restarted.
 *
 * <p>Refs are values: {@link #equals} and {@link #hashCode} depend on {@link #id()} only, so refs made in
 * different runtimes or JVMs for the same server are equal; {@link #toString()} gives the {@link ServerId} form,
 * which {@link ServerRuntime#ref(String)} parses back. The codec stores refs inside states, and they work again
 * after a restart.
 *
 * <p>Thread-safe. Messages from one thread to one server arrive in the order sent.
 */
public final class ServerRef {

    private final Registry.Target target;

    ServerRef(Registry.Target target) {
        this.target = target;
    }

    /** The server's identity. */
    public ServerId id() {
        return target.id();
    }

    /**
     * Sends {@code request} and waits for the reply, at most the type's call timeout (default 5 s).
     *
     * @throws CallTimeoutException    no reply in time (the request may still be handled)
     * @throws ServerCrashedException  the handler threw
     * @throws PersistenceException    the new state could not be persisted; nothing was acknowledged
     * @throws MailboxFullException    the server's mailbox is full
     * @throws GenServerException      any other failure, typed
     */
    public <R> R call(Call<R> request) {
        return call(request, target.registry().callTimeout(target));
    }

    /** As {@link #call(Call)}, with an explicit timeout. */
    public <R> R call(Call<R> request, Duration timeout) {
        return target.registry().call(target, Objects.requireNonNull(request, "request"), timeout);
    }

    /**
     * Sends {@code request} and returns at once; the future completes with the reply or the same typed
     * exceptions as {@link #call(Call)}, and with {@link CallTimeoutException} after the type's call timeout.
     */
    public <R> CompletableFuture<R> callAsync(Call<R> request) {
        return callAsync(request, target.registry().callTimeout(target));
    }

    /** As {@link #callAsync(Call)}, with an explicit timeout. */
    public <R> CompletableFuture<R> callAsync(Call<R> request, Duration timeout) {
        return target.registry().callAsync(target, Objects.requireNonNull(request, "request"), timeout);
    }

    /**
     * Sends {@code message} to {@link GenServer#handleCast} and returns once it is queued.
     *
     * @throws MailboxFullException if the server's mailbox is full
     */
    public void cast(Object message) {
        target.registry().cast(target, Objects.requireNonNull(message, "message"), false);
    }

    /** Sends {@code message} to {@link GenServer#handleInfo} and returns once it is queued. */
    public void send(Object message) {
        target.registry().cast(target, Objects.requireNonNull(message, "message"), true);
    }

    /**
     * Stops the server with {@code reason} after the messages already queued, and waits until it has stopped
     * (at most the call timeout). The type's {@link LifecyclePolicy} decides whether its state is wiped. A stop
     * of a server that is not active activates it first, so that {@code terminate} sees its state.
     */
    public void stop(StopReason reason) {
        target.registry().stop(target, Objects.requireNonNull(reason, "reason"));
    }

    /** {@code stop(StopReason.NORMAL)}. */
    public void stop() {
        stop(StopReason.NORMAL);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerRef r && r.target.id().equals(target.id());
    }

    @Override
    public int hashCode() {
        return target.id().hashCode();
    }

    /** The {@link ServerId} form, {@code type:key}. */
    @Override
    public String toString() {
        return target.id().toString();
    }
}
