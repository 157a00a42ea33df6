package io.github.pgs.testkit.model;

import io.github.pgs.LifecyclePolicy;
import io.github.pgs.ServerRuntime;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.store.InMemoryStorage;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The runtime's own model-based conformance test: seeded random sequences of messages, lifecycle operations,
 * clock moves, runtime restarts, store faults and concurrent callers, run against a real {@link ServerRuntime}
 * (on a {@link io.github.pgs.testkit.ManualTime} clock, over any {@link Storage} wrapped in a
 * {@link io.github.pgs.testkit.FaultInjectingStorage}) and against a reference model of the contract, compared
 * after every step.
 *
 * <pre>{@code
 * RuntimeModel.inMemory().runner().withSequencesFrom(ModelRunner.SEQUENCES_PROPERTY, 10_000).run();
 * RuntimeModel.on("sqlite", () -> sqliteStore, false).runner().withSequences(300).run();
 * }</pre>
 *
 * <h2>What is driven</h2>
 * Three servers of one {@link ModelCounter} type (a fresh type name per sequence, see {@link #withTypePrefix}, so
 * sequences never see each other's data in a shared store; the keys include quotes, {@code %}, a backslash and a non-BMP character) and
 * the {@link RuntimeAction}s: calls that change state with and without persisting, reads, casts, infos, deferred
 * replies, crashes by exception and by {@link Error} (from calls and casts, and crash loops), normal and error stops
 * (through the ref and from a handler), forced petrification (alone and raced by a call), activation on demand,
 * quarantine release, rollback to one of the last {@value #HISTORY_DEPTH} versions and reset, clock moves across the
 * idle timeout, the call timeout and the restart window, runtime close and reopen, the death of the whole runtime
 * and a new one on the same store, the recovery after both, lifecycle policy changes at run time
 * ({@code TRANSIENT}, {@code TEMPORARY}, {@code PERMANENT}, each with or without {@code rememberActive}), store
 * faults (failed, unknown-outcome and conflicting saves, failed loads, a whole-store outage), and several threads
 * calling one server at once.
 *
 * <h2>What is compared after every step</h2>
 * Each reply and each typed error (class and cause class), and what rollbacks and resets return or throw; the
 * stored version and decoded count of every server, its stored history (versions and counts, most recent first,
 * when the store keeps history) and whether its remember-active marker is stored, read past the fault injection;
 * which servers are active and quarantined, including those a new runtime's recovery revived; the fate of every
 * deferred caller (waiting, answered with the right value, or timed out); the runtime's counters (activations,
 * revivals, petrifications, stops, crashes, quarantines, writes, failed writes, active servers); and that no two
 * handlers of one server ever ran at the same time. For concurrent callers the multiset of outcomes is compared with
 * the model's outcomes for the same calls made one after another.
 *
 * <h2>Options the model fixes</h2>
 * Idle timeout {@link #IDLE_TIMEOUT}, call timeout {@link #CALL_TIMEOUT}, restart intensity
 * {@value #MAX_RESTARTS} crashes within {@link #RESTART_WINDOW}, history depth {@value #HISTORY_DEPTH} (0 on a store
 * that keeps no history; rollbacks then expect {@link UnsupportedOperationException}), write-through, quarantine
 * waits for an operator.
 *
 * <p>Immutable and thread-safe; each trial uses its own runtime, clock and fault injector.
 */
public final class RuntimeModel implements ModelSpec<RuntimeAction> {

    /** The keys of the three servers. */
    public static final List<String> KEYS = List.of("alpha", "b'%_\\\"", "\uD83D\uDE00 c");
    /** The idle timeout of the model's type. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The call timeout of the model's type. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** The restart window of the model's type. */
    public static final Duration RESTART_WINDOW = Duration.ofSeconds(5);
    /** Crashes allowed within the restart window before quarantine. */
    public static final int MAX_RESTARTS = 2;
    /** How many replaced states the store keeps per server for rollback (when it keeps history at all). */
    public static final int HISTORY_DEPTH = 3;

    private static final long[] ADVANCES_MILLIS = {1_000, 4_999, 5_000, 30_000, 59_999, 60_000, 61_000};

    /** The default prefix of the type names the trials use. */
    public static final String DEFAULT_TYPE_PREFIX = "model";

    private final String label;
    private final Supplier<? extends Storage> stores;
    private final boolean closeStores;
    private final StateCodec codec;
    private final String typePrefix;
    private final boolean checkHistory;

    private RuntimeModel(String label, Supplier<? extends Storage> stores, boolean closeStores, StateCodec codec,
                         String typePrefix, boolean checkHistory) {
        this.label = Objects.requireNonNull(label, "label");
        this.stores = Objects.requireNonNull(stores, "stores");
        this.closeStores = closeStores;
        this.codec = codec;
        if (!io.github.pgs.ServerId.isValidTypeName(typePrefix + "-x-1")) {
            throw new IllegalArgumentException("not a type name prefix: " + typePrefix);
        }
        this.typePrefix = typePrefix;
        this.checkHistory = checkHistory;
    }

    /** The model over a fresh {@link InMemoryStorage} per sequence. */
    public static RuntimeModel inMemory() {
        return new RuntimeModel("in-memory", InMemoryStorage::new, false, null, DEFAULT_TYPE_PREFIX, true);
    }

    /**
     * The model over the stores {@code stores} supplies, one call per sequence. A supplier may return the same
     * store every time (sequences use distinct type names); then {@code closeStores} must be {@code false}.
     *
     * @param label       names the store in reports
     * @param closeStores whether each sequence closes its store when it ends
     */
    public static RuntimeModel on(String label, Supplier<? extends Storage> stores, boolean closeStores) {
        return new RuntimeModel(label, stores, closeStores, null, DEFAULT_TYPE_PREFIX, true);
    }

    /** This model with an explicit codec (default: the one the runtime finds on the class path). */
    public RuntimeModel withCodec(StateCodec codec) {
        return new RuntimeModel(label, stores, closeStores, Objects.requireNonNull(codec, "codec"), typePrefix,
                checkHistory);
    }

    /**
     * This model with another prefix for the type names of its trials (default {@value #DEFAULT_TYPE_PREFIX});
     * a trial's type is {@code <prefix>-<run>-<n>}, so a shared store's rows of one run can be found and removed.
     */
    public RuntimeModel withTypePrefix(String prefix) {
        return new RuntimeModel(label, stores, closeStores, codec, Objects.requireNonNull(prefix, "prefix"),
                checkHistory);
    }

    /**
     * This model without the comparison of each server's stored history after every step, so that only what
     * rollbacks return, store and reply is checked against the model's history (for the test showing that those
     * checks alone catch a store whose history is wrong).
     */
    RuntimeModel withoutHistoryComparison() {
        return new RuntimeModel(label, stores, closeStores, codec, typePrefix, false);
    }

    /** A {@link ModelRunner} for this model, configured from the system properties. */
    public ModelRunner<RuntimeAction> runner() {
        return ModelRunner.of(codec != null ? this : withCodec(classPathCodec()));
    }

    private static StateCodec classPathCodec() {
        try (ServerRuntime probe = ServerRuntime.builder().name("model-codec").storage(new InMemoryStorage())
                .build()) {
            return probe.codec();
        }
    }

    @Override
    public RuntimeAction nextAction(Random random, int index) {
        if (index == 0) {
            int p = random.nextInt(10);
            return new RuntimeAction.Reconfigure(p < 6 ? LifecyclePolicy.TRANSIENT
                    : p < 8 ? LifecyclePolicy.TEMPORARY : LifecyclePolicy.PERMANENT, random.nextBoolean());
        }
        int s = random.nextInt(KEYS.size());
        int roll = random.nextInt(1080);
        if ((roll -= 170) < 0) return new RuntimeAction.Inc(s, 1 + random.nextInt(3));
        if ((roll -= 80) < 0) return new RuntimeAction.Get(s);
        if ((roll -= 50) < 0) return new RuntimeAction.IncNoPersist(s);
        if ((roll -= 50) < 0) return new RuntimeAction.Defer(s);
        if ((roll -= 45) < 0) return new RuntimeAction.Release(s);
        if ((roll -= 40) < 0) return new RuntimeAction.Crash(s, random.nextInt(3) == 0);
        if ((roll -= 20) < 0) return new RuntimeAction.CrashLoop(s);
        if ((roll -= 55) < 0) return new RuntimeAction.Cast(s, 1 + random.nextInt(3));
        if ((roll -= 35) < 0) return new RuntimeAction.Info(s, 1 + random.nextInt(3));
        if ((roll -= 15) < 0) return new RuntimeAction.CastCrash(s);
        if ((roll -= 35) < 0) return new RuntimeAction.Stop(s, random.nextBoolean());
        if ((roll -= 20) < 0) return new RuntimeAction.StopByCall(s, random.nextBoolean());
        if ((roll -= 45) < 0) return new RuntimeAction.Petrify(s);
        if ((roll -= 30) < 0) return new RuntimeAction.PetrifyThenInc(s);
        if ((roll -= 20) < 0) return new RuntimeAction.Start(s);
        if ((roll -= 30) < 0) return new RuntimeAction.ReleaseQuarantine(s);
        if ((roll -= 35) < 0) {
            // 1 (half of them) to HISTORY_DEPTH + 1 (one in ten: more than is ever kept)
            int k = random.nextInt(20);
            return new RuntimeAction.Rollback(s, k < 10 ? 1 : k < 15 ? 2 : k < 18 ? HISTORY_DEPTH : HISTORY_DEPTH + 1);
        }
        if ((roll -= 10) < 0) return new RuntimeAction.Reset(s);
        if ((roll -= 95) < 0) return new RuntimeAction.Advance(ADVANCES_MILLIS[random.nextInt(ADVANCES_MILLIS.length)]);
        if ((roll -= 15) < 0) return new RuntimeAction.CloseReopen();
        if ((roll -= 15) < 0) return new RuntimeAction.KillRestart();
        if ((roll -= 10) < 0) {
            LifecyclePolicy[] all = LifecyclePolicy.values();
            return new RuntimeAction.Reconfigure(all[random.nextInt(all.length)], random.nextBoolean());
        }
        if ((roll -= 30) < 0) return new RuntimeAction.FailNextSave(s);
        if ((roll -= 20) < 0) return new RuntimeAction.UnknownOutcomeNextSave(s);
        if ((roll -= 20) < 0) return new RuntimeAction.ConflictNextSave(s);
        if ((roll -= 20) < 0) return new RuntimeAction.FailNextLoad(s);
        if ((roll -= 15) < 0) return new RuntimeAction.Outage(true);
        if ((roll -= 30) < 0) return new RuntimeAction.Outage(false);
        return new RuntimeAction.ConcurrentIncs(s, 2 + random.nextInt(4), 1 + random.nextInt(3));
    }

    @Override
    public ModelTrial<RuntimeAction> newTrial() {
        StateCodec c = codec != null ? codec : classPathCodec();
        return new RuntimeTrial(stores.get(), closeStores, c, typePrefix, checkHistory);
    }

    @Override
    public String toString() {
        return "RuntimeModel[" + label + "]";
    }
}
