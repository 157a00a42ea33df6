package io.github.pgs;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * How servers of one type behave: timeouts, mailbox bound, lifecycle policy, write mode and limits. Options are
 * configuration, never identity: changing them never changes which stored state a ref points to.
 *
 * <p>Immutable; build with {@link #builder()} or derive with {@link #toBuilder()}. Every default is a named
 * constant below and listed in the configuration reference.
 *
 * @param idleTimeout        how long a server stays active without messages before it petrifies
 *                           (default {@link #DEFAULT_IDLE_TIMEOUT}; {@link #NEVER} to never petrify)
 * @param callTimeout        how long {@link ServerRef#call(Call)} waits for a reply (default
 *                           {@link #DEFAULT_CALL_TIMEOUT})
 * @param mailboxCapacity    messages that may wait for one server before senders get
 *                           {@link MailboxFullException} (default {@link #DEFAULT_MAILBOX_CAPACITY})
 * @param lifecycle          what stops wipe (default {@link LifecyclePolicy#TRANSIENT})
 * @param writeMode          when changed state is written (default {@link WriteMode#WRITE_THROUGH})
 * @param writeBehindDelay   for {@link WriteMode#WRITE_BEHIND}: the longest a changed state stays unwritten
 *                           (default {@link #DEFAULT_WRITE_BEHIND_DELAY})
 * @param maxStateBytes      the largest encoded state accepted; a larger one is refused with
 *                           {@link StateTooLargeException} (default {@link #DEFAULT_MAX_STATE_BYTES})
 * @param maxRestarts        restart intensity: crashes allowed within {@code restartWindow} before the server is
 *                           quarantined (default {@link #DEFAULT_MAX_RESTARTS})
 * @param restartWindow      restart intensity window (default {@link #DEFAULT_RESTART_WINDOW})
 * @param schemaVersion      the version of the persisted state's schema written by this code (default 1)
 * @param historyDepth       how many replaced states the store keeps per server for {@code rollback}
 *                           (default 0: none)
 * @param onQuarantine       what happens when a server passes its restart intensity (default
 *                           {@link QuarantineAction#WAIT_FOR_OPERATOR})
 * @param rememberActive     whether servers active when the runtime stopped or died are revived when a runtime
 *                           on the same store starts (default {@code false}; costs a marker write per activation)
 * @param ttl                delete stored states not written for this long (default {@link #NEVER}: keep); swept
 *                           by the runtime for types registered on its builder
 */
public record TypeOptions(
        Duration idleTimeout,
        Duration callTimeout,
        int mailboxCapacity,
        LifecyclePolicy lifecycle,
        WriteMode writeMode,
        Duration writeBehindDelay,
        int maxStateBytes,
        int maxRestarts,
        Duration restartWindow,
        int schemaVersion,
        int historyDepth,
        QuarantineAction onQuarantine,
        boolean rememberActive,
        Duration ttl) {

    /** An idle timeout that never elapses: the server never petrifies on its own. */
    public static final Duration NEVER = ChronoUnit.FOREVER.getDuration();
    /** 60 seconds, the seed's default petrification timeout. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** 5 seconds, as Erlang's {@code GenServer.call}. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    /** 10,000 messages. */
    public static final int DEFAULT_MAILBOX_CAPACITY = 10_000;
    /** 1 second. */
    public static final Duration DEFAULT_WRITE_BEHIND_DELAY = Duration.ofSeconds(1);
    /** 1 MiB. */
    public static final int DEFAULT_MAX_STATE_BYTES = 1 << 20;
    /** 3 crashes (Erlang's supervisor default intensity). */
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** 5 seconds (Erlang's supervisor default period). */
    public static final Duration DEFAULT_RESTART_WINDOW = Duration.ofSeconds(5);

    /** The defaults. */
    public static final TypeOptions DEFAULTS = new TypeOptions(DEFAULT_IDLE_TIMEOUT, DEFAULT_CALL_TIMEOUT,
            DEFAULT_MAILBOX_CAPACITY, LifecyclePolicy.TRANSIENT, WriteMode.WRITE_THROUGH,
            DEFAULT_WRITE_BEHIND_DELAY, DEFAULT_MAX_STATE_BYTES, DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW, 1,
            0, QuarantineAction.WAIT_FOR_OPERATOR, false, NEVER);

    public TypeOptions {
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(callTimeout, "callTimeout");
        requirePositive(writeBehindDelay, "writeBehindDelay");
        requirePositive(restartWindow, "restartWindow");
        requirePositive(ttl, "ttl");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(writeMode, "writeMode");
        if (mailboxCapacity < 1) {
            throw new IllegalArgumentException("mailboxCapacity must be >= 1: " + mailboxCapacity);
        }
        if (maxStateBytes < 1) {
            throw new IllegalArgumentException("maxStateBytes must be >= 1: " + maxStateBytes);
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be >= 0: " + maxRestarts);
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be >= 1: " + schemaVersion);
        }
        if (historyDepth < 0) {
            throw new IllegalArgumentException("historyDepth must be >= 0: " + historyDepth);
        }
        Objects.requireNonNull(onQuarantine, "onQuarantine");
        if (onQuarantine == QuarantineAction.ROLLBACK && historyDepth == 0) {
            throw new IllegalArgumentException("onQuarantine ROLLBACK needs historyDepth >= 1");
        }
    }

    /** Whether stored states of this type expire. */
    public boolean expires() {
        return ttl.compareTo(NEVER) < 0;
    }

    /** Whether servers of this type ever petrify on their own. */
    public boolean petrifies() {
        return idleTimeout.compareTo(NEVER) < 0;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** Builds {@link TypeOptions}; validation happens in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private Duration idleTimeout;
        private Duration callTimeout;
        private int mailboxCapacity;
        private LifecyclePolicy lifecycle;
        private WriteMode writeMode;
        private Duration writeBehindDelay;
        private int maxStateBytes;
        private int maxRestarts;
        private Duration restartWindow;
        private int schemaVersion;
        private int historyDepth;
        private QuarantineAction onQuarantine;
        private boolean rememberActive;
        private Duration ttl;

        private Builder(TypeOptions o) {
            idleTimeout = o.idleTimeout;
            callTimeout = o.callTimeout;
            mailboxCapacity = o.mailboxCapacity;
            lifecycle = o.lifecycle;
            writeMode = o.writeMode;
            writeBehindDelay = o.writeBehindDelay;
            maxStateBytes = o.maxStateBytes;
            maxRestarts = o.maxRestarts;
            restartWindow = o.restartWindow;
            schemaVersion = o.schemaVersion;
            historyDepth = o.historyDepth;
            onQuarantine = o.onQuarantine;
            rememberActive = o.rememberActive;
            ttl = o.ttl;
        }

        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder callTimeout(Duration v) { callTimeout = v; return this; }
        public Builder mailboxCapacity(int v) { mailboxCapacity = v; return this; }
        public Builder lifecycle(LifecyclePolicy v) { lifecycle = v; return this; }
        public Builder writeMode(WriteMode v) { writeMode = v; return this; }
        public Builder writeBehindDelay(Duration v) { writeBehindDelay = v; return this; }
        public Builder maxStateBytes(int v) { maxStateBytes = v; return this; }
        public Builder restartIntensity(int maxRestarts, Duration window) {
            this.maxRestarts = maxRestarts;
            this.restartWindow = window;
            return this;
        }
        public Builder schemaVersion(int v) { schemaVersion = v; return this; }
        public Builder historyDepth(int v) { historyDepth = v; return this; }
        public Builder onQuarantine(QuarantineAction v) { onQuarantine = v; return this; }
        public Builder rememberActive(boolean v) { rememberActive = v; return this; }
        public Builder ttl(Duration v) { ttl = v; return this; }

        public TypeOptions build() {
            return new TypeOptions(idleTimeout, callTimeout, mailboxCapacity, lifecycle, writeMode,
                    writeBehindDelay, maxStateBytes, maxRestarts, restartWindow, schemaVersion, historyDepth,
                    onQuarantine, rememberActive, ttl);
        }
    }
}
