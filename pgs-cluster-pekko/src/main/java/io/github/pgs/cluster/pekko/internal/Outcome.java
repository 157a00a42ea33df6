package io.github.pgs.cluster.pekko.internal;

import java.util.Objects;

/** The answer to a {@link Deliver} that awaited one. */
public sealed interface Outcome extends WireMessage {

    /**
     * Done; {@code reply} is the encoded reply of a call, or {@code null} for operations without a value and for
     * a call answered with {@code null}.
     */
    record Ok(Payload reply) implements Outcome {
    }

    /** Failed on the owning node with a typed error. */
    record Failed(RemoteError error) implements Outcome {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
