package io.github.pgs.internal;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerStoppedException;
import io.github.pgs.Stop;
import io.github.pgs.StopReason;

/**
 * A stop to carry out: why, the final state and whether to write it, and who is answered once the server has
 * stopped ({@code answerTo}: the caller whose handler returned the stop, or the requester of a
 * {@code ref.stop}; {@code null} for a stop from a cast).
 */
record StopOrder<S>(StopReason reason, S finalState, boolean persist, Envelope answerTo, Object reply,
                    boolean hasReply) {

    /** The stop a handler returned; {@code caller} is the call it handled, or {@code null}. */
    static <S> StopOrder<S> of(Stop<S> st, CallEnvelope<?> caller) {
        return new StopOrder<>(st.reason(), st.state(), st.persist(), caller, st.reply(), st.hasReply());
    }

    /** A stop asked for through the ref, with the state as it is. */
    static <S> StopOrder<S> requested(Envelope.StopRequest r, S live) {
        return new StopOrder<>(r.reason(), live, true, r, null, false);
    }

    /** Answers whoever waits for this stop: with the failure, the reply, or (a call without one) a stop error. */
    void answer(ServerId id, GenServerException failure) {
        switch (answerTo) {
            case null -> { }
            case CallEnvelope<?> caller when failure != null -> caller.failNow(failure);
            case CallEnvelope<?> caller when hasReply -> caller.completeNow(reply);
            case CallEnvelope<?> caller -> caller.failNow(new ServerStoppedException(id, reason));
            case Envelope.StopRequest r when failure != null -> r.done().completeExceptionally(failure);
            case Envelope.StopRequest r -> r.done().complete(null);
            default -> throw new IllegalStateException("unreachable: " + answerTo);
        }
    }
}
