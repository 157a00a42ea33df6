package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where what a ref sends, and what an operator or a duty asks of one server, goes: straight to the local
 * activation in a single JVM ({@link LocalRouter}), or through the placement engine to the server's owner
 * ({@link EngineRouter}). The runtime picks one when it is built; the local one adds nothing to the local path.
 */
interface Router {

    <R> R call(Registry.Target t, Call<R> request, Duration timeout);

    <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout);

    void cast(Registry.Target t, Object message, boolean info);

    void stop(Registry.Target t, StopReason reason, Duration timeout);

    /** Activates the server now (with the target's init arguments, if any) and waits until it is active. */
    void start(Registry.Target t, Duration timeout);

    /** Asks the server to petrify after its queued messages; whether there was one to ask (here: unknown, true). */
    boolean petrify(ServerId id);

    /** Petrifies the server and waits until it has left; see {@link Operations#quiesce}. */
    void petrifyAndWait(ServerId id, Duration timeout);

    /** Lifts a quarantine; whether there was one. */
    boolean release(ServerId id);

    /** How the runtime-wide duties wake a server. */
    Wakes wakes();

    /** How a TTL sweep judges one old state. */
    Expiry.Judge ttlJudge();
}
