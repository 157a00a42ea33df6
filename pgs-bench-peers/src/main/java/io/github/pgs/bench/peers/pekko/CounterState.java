package io.github.pgs.bench.peers.pekko;

/** The durable counter's state; written by {@link CounterStateSerializer}. */
public record CounterState(long count) {

    /** A fresh counter. */
    public static final CounterState ZERO = new CounterState(0L);

    /** This count plus one. */
    public CounterState increment() {
        return new CounterState(count + 1);
    }
}
