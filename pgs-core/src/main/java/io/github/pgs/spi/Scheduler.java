package io.github.pgs.spi;

import java.time.Duration;

/**
 * The runtime's scheduling seam: runs a task after a delay. Tasks must be short and must not block (the
 * runtime only uses them to post a message to a server). The system implementation uses one daemon platform
 * thread; a manual implementation runs due tasks when its clock is advanced.
 */
public interface Scheduler {

    /** Runs {@code task} once after {@code delay}. */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run yet; harmless otherwise. */
        void cancel();
    }
}
