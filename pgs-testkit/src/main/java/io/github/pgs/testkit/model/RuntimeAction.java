package io.github.pgs.testkit.model;

import io.github.pgs.LifecyclePolicy;

/**
 * The actions {@link RuntimeModel} draws: messages to one of its servers (by index), lifecycle and operator
 * operations (release, rollback, reset), time, runtime restarts (clean, and a whole-runtime crash), store faults and
 * concurrent callers. Each record's {@code toString} is its description in a shrunk report.
 */
public sealed interface RuntimeAction {

    /** {@code call(Inc(by))}: adds and replies the new count. */
    record Inc(int server, int by) implements RuntimeAction {
    }

    /** {@code call(Get())}: a read; writes only a never-written first state. */
    record Get(int server) implements RuntimeAction {
    }

    /** {@code call(IncNoPersist())}: a change kept in memory until the next write. */
    record IncNoPersist(int server) implements RuntimeAction {
    }

    /** {@code callAsync(Defer())}: the caller waits for a {@link Release} or its call timeout. */
    record Defer(int server) implements RuntimeAction {
    }

    /** {@code call(Release())}: answers the deferred callers after the change is durable. */
    record Release(int server) implements RuntimeAction {
    }

    /** {@code call(Crash(error))}: the handler throws an exception, or an {@link Error}. */
    record Crash(int server, boolean error) implements RuntimeAction {
    }

    /**
     * {@code call(Crash(false))} {@value RuntimeModel#MAX_RESTARTS} + 1 times at one instant: a crash loop, which
     * passes the restart intensity and quarantines the server unless something in between stops it.
     */
    record CrashLoop(int server) implements RuntimeAction {
    }

    /** {@code cast(Add(by))}. */
    record Cast(int server, int by) implements RuntimeAction {
    }

    /** {@code send(Bump(by))}, handled by {@code handleInfo}. */
    record Info(int server, int by) implements RuntimeAction {
    }

    /** {@code cast(CrashCast())}: a crash nobody waits for. */
    record CastCrash(int server) implements RuntimeAction {
    }

    /** {@code ref.stop(NORMAL)} or {@code ref.stop(error(..))}. */
    record Stop(int server, boolean normal) implements RuntimeAction {
    }

    /** {@code call(StopWith(normal))}: a handler returns a stop result with a reply. */
    record StopByCall(int server, boolean normal) implements RuntimeAction {
    }

    /** {@code runtime.petrify(id)}: a forced petrification. */
    record Petrify(int server) implements RuntimeAction {
    }

    /** {@code runtime.petrify(id)} immediately followed by {@code call(Inc(1))}: the call lands behind it. */
    record PetrifyThenInc(int server) implements RuntimeAction {
    }

    /** {@code runtime.start(type, key)}: activate now. */
    record Start(int server) implements RuntimeAction {
    }

    /** {@code runtime.release(id)}: lift a quarantine (and forget recent crashes). */
    record ReleaseQuarantine(int server) implements RuntimeAction {
    }

    /** Move the manual clock forward. */
    record Advance(long millis) implements RuntimeAction {
    }

    /**
     * {@code runtime.rollback(id, stepsBack)}: the state {@code stepsBack} versions ago (1 = the previous one) written
     * as a new version; an active server is petrified first, a quarantine is lifted.
     */
    record Rollback(int server, int stepsBack) implements RuntimeAction {
    }

    /** {@code runtime.reset(id)}: a tombstone, quarantine lifted; the next message starts fresh via {@code init}. */
    record Reset(int server) implements RuntimeAction {
    }

    /**
     * {@code runtime.close()}, then a new runtime on the same store and clock, whose start-up recovery revives the
     * {@code PERMANENT} servers and, with {@code rememberActive}, those active at the close.
     */
    record CloseReopen() implements RuntimeAction {
    }

    /**
     * The whole runtime dies without closing (as in a killed JVM: it is abandoned, with its servers, timers and
     * clock, and nothing of it runs again); then a new runtime on the same store and a new clock, whose start-up
     * recovery revives the {@code PERMANENT} servers and, with {@code rememberActive}, those active when it died.
     */
    record KillRestart() implements RuntimeAction {
    }

    /** {@code runtime.reconfigure(type, options with policy and rememberActive)}. */
    record Reconfigure(LifecyclePolicy policy, boolean rememberActive) implements RuntimeAction {
    }

    /** The server's next save fails and writes nothing. */
    record FailNextSave(int server) implements RuntimeAction {
    }

    /** The server's next save is written, then reported as failed. */
    record UnknownOutcomeNextSave(int server) implements RuntimeAction {
    }

    /** A competing writer bumps the server's stored version just before its next save. */
    record ConflictNextSave(int server) implements RuntimeAction {
    }

    /** The server's next load fails. */
    record FailNextLoad(int server) implements RuntimeAction {
    }

    /** The whole store becomes unreachable ({@code down}) or reachable again. */
    record Outage(boolean down) implements RuntimeAction {
    }

    /** {@code threads} threads each call {@code Inc(1)} {@code each} times on one server, all at once. */
    record ConcurrentIncs(int server, int threads, int each) implements RuntimeAction {
    }
}
