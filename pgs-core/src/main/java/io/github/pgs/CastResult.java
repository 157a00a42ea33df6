package io.github.pgs;

/**
 * What {@link GenServer#handleCast}, {@link GenServer#handleInfo} and {@link GenServer#handleContinue} decide:
 * {@link NoReply} or {@link Stop}. Build them with the factories in {@link Results}.
 *
 * @param <S> the state type
 */
public sealed interface CastResult<S> extends CallResult<S> permits NoReply, Stop {
}
