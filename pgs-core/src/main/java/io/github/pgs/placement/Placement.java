package io.github.pgs.placement;

import io.github.pgs.ServerId;

import java.util.concurrent.CompletionStage;

/**
 * The engine that places servers on nodes (for example a cluster-sharding engine): where a server lives, and how a
 * message reaches its owner. Given to a runtime with {@code ServerRuntime.builder().placement(engine)}; without one,
 * a runtime places every server in its own JVM and none of this is used.
 *
 * <p>With a placement, every message a ref sends ({@code call}, {@code callAsync}, {@code cast}, {@code send},
 * {@code stop}, {@code start}), every operator action on one server (petrify, release, rollback, reset) and every
 * wake-up of the runtime-wide duties (recovery, due reminders, TTL expiry) becomes a {@link WireMessage} handed to
 * {@link #ask} or {@link #tell}; the engine carries it to the owner's runtime, which {@link PlacementHost#deliver
 * delivers} it. The sender encodes the message eagerly, so a message that cannot cross nodes fails at the sender
 * with a typed error on every node alike.
 *
 * <p>Thread-safety: every method may be called from any thread, concurrently. {@link #ask} and {@link #tell} are
 * called on the sender's thread (often a virtual thread, sometimes a server's handler thread) and must not block
 * for long; the runtime enforces the caller's deadline itself.
 */
public interface Placement extends AutoCloseable {

    /**
     * Called once, by {@code ServerRuntime.build()}, before any message is sent: {@code host} is this node's
     * runtime, the side the engine calls on the owner.
     */
    void attach(PlacementHost host);

    /**
     * Carries an asking message ({@link WireMessage.Kind#asks()}) to the owner of {@link WireMessage#target()}
     * and completes with the owner's reply, as {@link PlacementHost#deliver} gave it. Completes exceptionally with
     * {@code ServerUnreachableException} (its {@code retrySafe()} says whether the message certainly was not
     * delivered) when the owner cannot be reached.
     */
    CompletionStage<WireReply> ask(WireMessage m);

    /** Carries a {@code CAST} or {@code INFO} to the owner: at most once, no acknowledgement. */
    void tell(WireMessage m);

    /**
     * A local activation of {@code id} has left (petrified, stopped, crashed, released from quarantine), after
     * persisting, and before a {@link PlacementHost#handOff} that waits for it completes. Called on the departing
     * server's thread; must be quick. Default: nothing.
     */
    default void departed(ServerId id) {
    }

    /**
     * Called first thing in {@code ServerRuntime.close()}: leave gracefully. The engine may call
     * {@link PlacementHost#handOff} during this call (the runtime still serves) and returns when its hand-off is
     * done or has given up; the runtime then petrifies whatever is still active here and closes.
     */
    @Override
    void close();
}
