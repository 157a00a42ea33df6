package io.github.pgs.spi;

/**
 * The runtime's clock seam. The system implementation reads {@link System#nanoTime()} and
 * {@link System#currentTimeMillis()}; tests substitute a manual one and advance it instead of sleeping.
 */
public interface TimeSource {

    /** Monotonic nanoseconds, for timeouts and idle detection. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, for timestamps. */
    long currentTimeMillis();

    /** The system clock. */
    TimeSource SYSTEM = new TimeSource() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
