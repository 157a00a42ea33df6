package io.github.pgs.placement;

import io.github.pgs.ServerId;

import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * A runtime as a {@link Placement} engine sees it: the side the engine calls on the node that owns a server.
 *
 * <p>Thread-safety: every method may be called from any thread and never blocks: work that waits (a petrify that
 * persists, a call's reply) completes the returned stage later, on the runtime's threads.
 */
public interface PlacementHost {

    /** The runtime's name. */
    String name();

    /**
     * Delivers {@code m} to the local activation of its target, activating it (load or {@code init}) if needed. The
     * payload is decoded only against the target type's declared message classes, never a class named by the
     * wire alone; {@link WireMessage#local()}, when present (the engine delivered within one JVM), is used
     * instead of the bytes.
     *
     * <p>Never throws: every failure (an unknown type, an undeclared class, a full mailbox, a quarantine, a crash,
     * a timeout) completes the stage with a {@link WireReply} carrying a {@link WireError}. {@code CAST} and
     * {@code INFO} complete once queued; {@code CALL} with the encoded reply, or with a timeout error once
     * {@link WireMessage#timeLeftNanos()} has passed on this node's clock.
     */
    CompletionStage<WireReply> deliver(WireMessage m);

    /**
     * Hand-off: petrifies every local activation whose id matches (after the messages already queued for it,
     * writing what write-behind and on-petrify servers hold; a quarantine marker is simply dropped here, the
     * quarantine stays recorded) and completes when every one of them has departed. Messages for them that arrive
     * meanwhile would start a new activation only after the old one has persisted: an engine that moves the
     * servers elsewhere buffers them instead.
     */
    CompletionStage<Void> handOff(Predicate<ServerId> which);

    /**
     * Turns the runtime-wide duties on or off on this node: start-up recovery of {@code PERMANENT} and
     * remember-active servers (run once each time the duties go on), the durable-reminder poller and the TTL
     * sweeps. Their wake-ups go through {@link Placement#ask}, so the owner acts. They start off with a placement:
     * the engine turns them on on exactly one node, and moves them when membership changes.
     */
    void duties(boolean on);
}
