package io.github.pgs;

/**
 * Counters of one runtime since it was built. A snapshot; each field is exact at some instant during the call.
 *
 * @param activations    servers started fresh through {@code init}
 * @param revivals       servers activated from stored state
 * @param petrifications servers that petrified (idle, forced, or at close)
 * @param stops          servers that stopped (normal or asked-for error stops)
 * @param crashes        handler crashes, including failed starts
 * @param quarantines    servers quarantined
 * @param calls          calls sent
 * @param casts          casts and infos sent
 * @param writes         state writes that succeeded
 * @param writeFailures  state writes that failed
 * @param active         servers active now
 * @param remindersFired durable reminder ticks delivered to {@code handleInfo}
 */
public record RuntimeStats(long activations, long revivals, long petrifications, long stops, long crashes,
                           long quarantines, long calls, long casts, long writes, long writeFailures, int active,
                           long remindersFired) {
}
