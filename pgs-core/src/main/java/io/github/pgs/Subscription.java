package io.github.pgs;

/** A registration that can be undone: {@link #close()} stops the notifications. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
