package io.github.pgs.internal;

/** Why an activation petrifies, which decides what a message arriving meanwhile and a failed write do. */
enum PetrifyMode {
    /**
     * The idle timeout: gives up if a message is waiting or arrives while persisting; a failed write keeps the
     * server (it tries again at the next idle timeout).
     */
    IDLE,
    /**
     * Asked for (operator, eviction, hand-off, an operator action that needs the server gone): happens at its
     * place in the mailbox, so messages queued behind it go to a fresh activation, which loads only after this
     * one has persisted and left. A failed write keeps the server.
     */
    ASKED,
    /** Runtime close: as {@link #ASKED}, but a failed write is reported and the unwritten change is lost. */
    SHUTDOWN
}
