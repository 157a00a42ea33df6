package io.github.pgs.testkit.model;

import io.github.pgs.Call;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.PersistenceException;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.testkit.FaultInjectingStorage;
import io.github.pgs.testkit.ManualTime;
import io.github.pgs.testkit.ServerTestKit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One sequence of {@link RuntimeModel}: the real runtime and the reference model, stepped together.
 *
 * <h2>The model</h2>
 * Per server it keeps what the store holds (version and count, or nothing; the replaced states kept as history, at
 * most {@value RuntimeModel#HISTORY_DEPTH}, most recent first; whether a remember-active marker is stored), what the
 * activation holds (present, quarantined, loaded, the live count, the version and count it last wrote or loaded,
 * whether it holds an unwritten change, its deferred callers, its last activity, the due time of its idle check,
 * whether it wrote the marker), its recent crashes and the faults armed for it. Each action is applied to the model
 * by the rules of the contract as the guide states them (persist-then-reply, the version fence, the lifecycle
 * policies, petrify and its failure handling, quarantine after {@value RuntimeModel#MAX_RESTARTS} crashes within the
 * restart window, rollback and reset, recovery at start). The store's faults are armed per server, so which write
 * fails never depends on thread scheduling; clock moves go from one due timer to the next and let the servers
 * settle at each, so timer effects happen in due-time order on both sides.
 *
 * <h2>History, rollback and reset</h2>
 * Every write of a server's state keeps the live state it replaces (a tombstone keeps nothing); a delete, and the
 * fault injector's competing writer (which writes with no depth), drop the history. A rollback petrifies an active
 * server first (a quarantined one stays put), reads the history, writes the chosen state as a new version over the
 * current one and lifts the quarantine; it is refused for more steps than are kept, and fails as the store fails. A
 * reset writes a tombstone over whatever is stored. When the server cannot be petrified at all, the runtime would
 * retry until its shutdown timeout: see {@link #stuck}.
 *
 * <h2>Recovery after a restart</h2>
 * A server is remembered as active (with the type's {@code rememberActive}) from the moment an activation loads
 * or initialises it until that activation stops being active (petrified, stopped, crashed, quarantined, failed to
 * reload); a shutdown or the runtime's death leaves it remembered, and so does a store that is down when the
 * marker should go. A new runtime (after {@link RuntimeAction.CloseReopen} or {@link RuntimeAction.KillRestart})
 * revives, unless the store is down, every stored server of a {@code PERMANENT} type and every remembered one,
 * which the trial waits for with {@link ServerRuntime#awaitRecovery} before comparing which servers are active.
 *
 * <p>Used by one thread at a time.
 */
final class RuntimeTrial implements ModelTrial<RuntimeAction> {

    private static final AtomicLong TRIALS = new AtomicLong();
    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL, 36);
    private static final long IDLE = RuntimeModel.IDLE_TIMEOUT.toNanos();
    private static final long CALL_TIMEOUT = RuntimeModel.CALL_TIMEOUT.toNanos();
    private static final long WINDOW = RuntimeModel.RESTART_WINDOW.toNanos();
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final String OK = "ok";
    /** The reserved type of the remember-active markers (the runtime's {@code ActiveMarkers.TYPE}). */
    private static final String ACTIVE_MARKERS = "pgs.active";
    /** The reserved type of the recorded quarantines (the runtime's {@code Quarantines.TYPE}). */
    private static final String QUARANTINES = "pgs.quarantine";

    private final Storage raw;
    private final boolean closeStore;
    private final FaultInjectingStorage store;
    private final StateCodec codec;
    /** The current runtime's clock; a {@link RuntimeAction.KillRestart} leaves the old one with the old runtime. */
    private ManualTime time = new ManualTime();
    private final ModelCounter.Probe probe = new ModelCounter.Probe();
    private final String typeName;
    private final Srv[] servers = new Srv[RuntimeModel.KEYS.size()];
    private final List<Deferred> deferred = new ArrayList<>();
    private ServerRuntime runtime;
    private LifecyclePolicy policy = LifecyclePolicy.TRANSIENT;
    private boolean remember;
    /** Whether the store keeps state history (if not, the type keeps none and rollback is unsupported). */
    private final boolean historyKept;
    private final boolean checkHistory;
    private boolean down;
    /** Whether the runtime has read the recorded quarantines (when it started with the store up, or later). */
    private boolean bookRead;
    private long now;
    private Counters expected = new Counters();

    /** The model of one server. */
    private static final class Srv {
        final ServerId id;
        final ServerId markerId;
        final ServerId quarantineId;
        // what the store holds
        long storedVersion;
        Long storedCount; // null: nothing live (never saved, or a tombstone)
        /** The replaced states the store keeps, most recent first: {version, count}. */
        final ArrayDeque<long[]> history = new ArrayDeque<>();
        /** Whether the store holds a remember-active marker for this server. */
        boolean marker;
        // what the activation holds
        boolean present;
        boolean quarantined;
        /** Whether the store records this server's quarantine (a crash loop, recorded while the store was up). */
        boolean recorded;
        boolean loaded;
        boolean dirty;
        long live;
        long actVersion;
        Long actPersisted; // null: the live state was built by init and never written
        final List<Deferred> waiting = new ArrayList<>();
        long lastActivity;
        long idleDue = -1;
        final ArrayDeque<Long> crashes = new ArrayDeque<>();
        /** Whether the activation wrote the marker (and so removes it when it stops being active). */
        boolean markHeld;
        // faults armed for this server
        int failSaves;
        int unknownSaves;
        int conflictSaves;
        int failLoads;

        Srv(ServerId id) {
            this.id = id;
            this.markerId = new ServerId(ACTIVE_MARKERS, id.toString());
            this.quarantineId = new ServerId(QUARANTINES, id.toString());
        }

        String historyText() {
            StringBuilder b = new StringBuilder("[");
            for (long[] h : history) {
                b.append(b.length() > 1 ? ", " : "").append("v").append(h[0]).append(" count ").append(h[1]);
            }
            return b.append("]").toString();
        }

        @Override
        public String toString() {
            return id.key() + ": stored v" + storedVersion + (storedCount == null ? "" : " count " + storedCount)
                    + (history.isEmpty() ? "" : " history " + historyText()) + (marker ? " marked" : "")
                    + (recorded ? " quarantine recorded" : "") + (quarantined ? ", quarantined" : present ? ", active" + (loaded ? " count " + live
                    + (dirty ? " unwritten" : "") : " unloaded") : "");
        }
    }

    /** One deferred caller: its future, its call timeout's due time, and what the model expects of it. */
    private static final class Deferred {
        final String label;
        final CompletableFuture<Long> future;
        final long deadline;
        Long answer;
        boolean timedOut;
        /** Its runtime died: nothing will ever answer it or time it out (its timer is on the dead runtime's clock). */
        boolean orphaned;

        Deferred(String label, CompletableFuture<Long> future, long deadline) {
            this.label = label;
            this.future = future;
            this.deadline = deadline;
        }

        boolean pending() {
            return answer == null && !timedOut && !orphaned;
        }
    }

    /** The runtime counters the model predicts, since the current runtime was built. */
    private static final class Counters {
        long activations;
        long revivals;
        long petrifications;
        long stops;
        long crashes;
        long quarantines;
        long writes;
        long writeFailures;
    }

    RuntimeTrial(Storage storage, boolean closeStore, StateCodec codec, String typePrefix, boolean checkHistory) {
        this.typeName = typePrefix + "-" + RUN + "-" + TRIALS.incrementAndGet();
        this.raw = storage;
        this.closeStore = closeStore;
        this.store = new FaultInjectingStorage(storage);
        this.codec = codec;
        for (int i = 0; i < servers.length; i++) {
            servers[i] = new Srv(new ServerId(typeName, RuntimeModel.KEYS.get(i)));
        }
        boolean kept;
        try {
            storage.history(servers[0].id);
            kept = true;
        } catch (UnsupportedOperationException e) {
            kept = false;
        }
        this.historyKept = kept;
        this.checkHistory = checkHistory && kept;
        this.runtime = newRuntime();
    }

    private TypeOptions options() {
        return TypeOptions.builder()
                .idleTimeout(RuntimeModel.IDLE_TIMEOUT)
                .callTimeout(RuntimeModel.CALL_TIMEOUT)
                .restartIntensity(RuntimeModel.MAX_RESTARTS, RuntimeModel.RESTART_WINDOW)
                .lifecycle(policy)
                .historyDepth(historyKept ? RuntimeModel.HISTORY_DEPTH : 0)
                .rememberActive(remember)
                .build();
    }

    private ServerRuntime newRuntime() {
        ServerType<String, ModelCounter.Live> type = ServerType.builder(ModelCounter.class)
                .name(typeName)
                .factory(() -> new ModelCounter(probe))
                .stateMapping(ModelCounter.MAPPING)
                .options(options())
                .build();
        return ServerRuntime.builder()
                .name(typeName)
                .storage(store)
                .codec(codec)
                .timeSource(time)
                .scheduler(time)
                .shutdownTimeout(SETTLE)
                .recoveryRate(1_000_000)
                .register(type)
                .build();
    }

    private ServerRef ref(Srv s) {
        return runtime.ref(s.id);
    }

    // =============================================================================================================
    // Steps

    @Override
    public String step(RuntimeAction action) throws Exception {
        String outcome = switch (action) {
            case RuntimeAction.Inc a -> compare(callReal(a.server(), new ModelCounter.Inc(a.by())),
                    inc(srv(a.server()), a.by()));
            case RuntimeAction.Get a -> compare(callReal(a.server(), new ModelCounter.Get()), get(srv(a.server())));
            case RuntimeAction.IncNoPersist a -> compare(callReal(a.server(), new ModelCounter.IncNoPersist()),
                    incNoPersist(srv(a.server())));
            case RuntimeAction.Defer a -> defer(a.server());
            case RuntimeAction.Release a -> compare(callReal(a.server(), new ModelCounter.Release()),
                    release(srv(a.server())));
            case RuntimeAction.Crash a -> compare(callReal(a.server(), new ModelCounter.Crash(a.error())),
                    crashCall(srv(a.server()), a.error()));
            case RuntimeAction.CrashLoop a -> crashLoop(a.server());
            case RuntimeAction.Cast a -> compare(castReal(a.server(), new ModelCounter.Add(a.by()), false),
                    castChange(srv(a.server()), a.by()));
            case RuntimeAction.Info a -> compare(castReal(a.server(), new ModelCounter.Bump(a.by()), true),
                    castChange(srv(a.server()), a.by()));
            case RuntimeAction.CastCrash a -> compare(castReal(a.server(), new ModelCounter.CrashCast(), false),
                    castCrash(srv(a.server())));
            case RuntimeAction.Stop a -> compare(stopReal(a.server(), a.normal()), stopRequest(srv(a.server()),
                    a.normal()));
            case RuntimeAction.StopByCall a -> compare(callReal(a.server(), new ModelCounter.StopWith(a.normal())),
                    stopByCall(srv(a.server()), a.normal()));
            case RuntimeAction.Petrify a -> compare(String.valueOf(runtime.petrify(srv(a.server()).id)),
                    String.valueOf(petrify(srv(a.server()))));
            case RuntimeAction.PetrifyThenInc a -> petrifyThenInc(a.server());
            case RuntimeAction.Start a -> compare(startReal(a.server()), start(srv(a.server())));
            case RuntimeAction.ReleaseQuarantine a -> compare(releaseReal(a.server()),
                    releaseQuarantine(srv(a.server())));
            case RuntimeAction.Rollback a -> rollback(a.server(), a.stepsBack());
            case RuntimeAction.Reset a -> reset(a.server());
            case RuntimeAction.Advance a -> advance(a.millis());
            case RuntimeAction.CloseReopen a -> closeReopen();
            case RuntimeAction.KillRestart a -> killRestart();
            case RuntimeAction.Reconfigure a -> reconfigure(a.policy(), a.rememberActive());
            case RuntimeAction.FailNextSave a -> {
                store.failNextSaves(srv(a.server()).id, 1);
                srv(a.server()).failSaves = 1;
                yield OK;
            }
            case RuntimeAction.UnknownOutcomeNextSave a -> {
                store.unknownOutcomeNextSaves(srv(a.server()).id, 1);
                srv(a.server()).unknownSaves = 1;
                yield OK;
            }
            case RuntimeAction.ConflictNextSave a -> {
                store.conflictNextSaves(srv(a.server()).id, 1);
                srv(a.server()).conflictSaves = 1;
                yield OK;
            }
            case RuntimeAction.FailNextLoad a -> {
                store.failNextLoads(srv(a.server()).id, 1);
                srv(a.server()).failLoads = 1;
                yield OK;
            }
            case RuntimeAction.Outage a -> {
                store.down(a.down());
                down = a.down();
                yield OK;
            }
            case RuntimeAction.ConcurrentIncs a -> concurrentIncs(a.server(), a.threads(), a.each());
        };
        settle();
        checkEverything();
        return outcome;
    }

    /**
     * Ends every sequence the same way: the store comes back, the runtime is closed and reopened, and every
     * server is read, so that what the last runtime held reaches the comparison.
     */
    @Override
    public String finish() throws Exception {
        List<RuntimeAction> ending = new ArrayList<>(List.of(new RuntimeAction.Outage(false),
                new RuntimeAction.CloseReopen()));
        for (int i = 0; i < servers.length; i++) {
            ending.add(new RuntimeAction.Get(i));
        }
        StringBuilder out = new StringBuilder();
        for (RuntimeAction a : ending) {
            String outcome;
            try {
                outcome = step(a);
            } catch (AssertionError e) {
                throw new AssertionError(out.toString() + a + " -> " + e.getMessage(), e);
            }
            out.append(a).append(" -> ").append(outcome).append("; ");
        }
        return out.toString();
    }

    /**
     * Abandons the runtime rather than closing it (as a JVM that dies would; closing was already exercised by
     * {@link #finish()} when the sequence got that far): its servers are idle and hold no thread, and the clock
     * and scheduler are this trial's own, so nothing outlives the trial but garbage.
     */
    @Override
    public void close() {
        store.down(false).openGate().hang(false).clearServerFaults();
        if (closeStore) {
            raw.close();
        }
    }

    private Srv srv(int i) {
        return servers[i];
    }

    private static String compare(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new AssertionError("system: " + actual + ", model: " + expected);
        }
        return actual;
    }

    // =============================================================================================================
    // The real side

    private String callReal(int server, Call<?> request) {
        try {
            return value(ref(srv(server)).call(request));
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    private String castReal(int server, Object message, boolean info) {
        try {
            if (info) {
                ref(srv(server)).send(message);
            } else {
                ref(srv(server)).cast(message);
            }
            return OK;
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    private String stopReal(int server, boolean normal) {
        try {
            ref(srv(server)).stop(normal ? StopReason.NORMAL : StopReason.error("stop requested"));
            return OK;
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    private String startReal(int server) {
        try {
            runtime.start(ModelCounter.class, srv(server).id.key());
            return OK;
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    private static String value(Object v) {
        return "=" + v;
    }

    /** An error as the model names it: the class, and for wrapping errors the class of the cause. */
    static String error(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String name = "!" + t.getClass().getSimpleName();
        if ((t instanceof PersistenceException || t instanceof ServerCrashedException) && t.getCause() != null) {
            name += "(" + t.getCause().getClass().getSimpleName() + ")";
        }
        return name;
    }

    private void settle() {
        if (!runtime.awaitQuiescence(SETTLE)) {
            throw new AssertionError("runtime did not settle within " + SETTLE);
        }
    }

    // =============================================================================================================
    // Composite steps

    private String defer(int server) throws Exception {
        Srv s = srv(server);
        CompletableFuture<Long> f;
        try {
            f = ref(s).callAsync(new ModelCounter.Defer());
        } catch (RuntimeException e) {
            throw new AssertionError("callAsync threw instead of failing its future: " + e, e);
        }
        settle();
        String expected = deferModel(s, f);
        String actual;
        if (!f.isDone()) {
            actual = "waiting";
        } else if (f.isCompletedExceptionally()) {
            actual = error(f.exceptionNow());
        } else {
            actual = value(f.get());
        }
        return compare(actual, expected);
    }

    private String crashLoop(int server) {
        Srv s = srv(server);
        List<String> actual = new ArrayList<>();
        List<String> model = new ArrayList<>();
        for (int i = 0; i <= RuntimeModel.MAX_RESTARTS; i++) {
            actual.add(callReal(server, new ModelCounter.Crash(false)));
            settle(); // an eager restart of a PERMANENT server is done before the next call, as in the model
            model.add(crashCall(s, false));
        }
        return compare(String.join(" ", actual), String.join(" ", model));
    }

    private String petrifyThenInc(int server) {
        Srv s = srv(server);
        boolean petrified = runtime.petrify(s.id);
        String reply = callReal(server, new ModelCounter.Inc(1));
        String actual = petrified + ", " + reply;
        boolean modelPetrified = petrify(s);
        return compare(actual, modelPetrified + ", " + inc(s, 1));
    }

    private String concurrentIncs(int server, int threads, int each) throws Exception {
        Srv s = srv(server);
        // A failed load also fails whatever is queued behind it at that moment, which depends on scheduling:
        // load faults armed for the server are withdrawn so that the outcome of concurrent calls is determined.
        String withdrawn = "";
        if (s.failLoads > 0) {
            store.failNextLoads(s.id, 0);
            s.failLoads = 0;
            withdrawn = "(load fault withdrawn) ";
        }
        List<String> actual = Collections.synchronizedList(new ArrayList<>());
        List<Thread> started = new ArrayList<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    actual.add(callReal(server, new ModelCounter.Inc(1)));
                }
            }));
        }
        go.countDown();
        for (Thread t : started) {
            if (!t.join(Duration.ofSeconds(30))) {
                throw new AssertionError("a concurrent caller did not finish within 30 s");
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            expected.add(inc(s, 1));
        }
        List<String> sortedActual = new ArrayList<>(actual);
        sortedActual.sort(Comparator.naturalOrder());
        expected.sort(Comparator.naturalOrder());
        if (!sortedActual.equals(expected)) {
            throw new AssertionError("outcomes of the concurrent calls: system " + sortedActual + ", model "
                    + expected);
        }
        return withdrawn + String.join(" ", sortedActual);
    }

    private String advance(long millis) {
        Duration by = Duration.ofMillis(millis);
        ServerTestKit.advanceSettled(time, runtime, by, SETTLE);
        long target = now + by.toNanos();
        while (true) {
            long t = nextEvent();
            if (t < 0 || t > target) {
                break;
            }
            now = t;
            for (Deferred d : deferred) {
                if (d.pending() && d.deadline == t) {
                    d.timedOut = true;
                }
            }
            for (Srv s : servers) {
                if (s.present && !s.quarantined && s.idleDue == t) {
                    idleCheck(s);
                }
            }
        }
        now = target;
        return OK;
    }

    private long nextEvent() {
        long t = -1;
        for (Deferred d : deferred) {
            if (d.pending() && (t < 0 || d.deadline < t)) {
                t = d.deadline;
            }
        }
        for (Srv s : servers) {
            if (s.present && !s.quarantined && s.idleDue >= 0 && (t < 0 || s.idleDue < t)) {
                t = s.idleDue;
            }
        }
        return t;
    }

    private String closeReopen() {
        String actual;
        try {
            runtime.close();
            actual = "closed";
        } catch (RuntimeException e) {
            actual = "close failed " + error(e);
        }
        boolean failed = false;
        for (Srv s : servers) {
            s.crashes.clear(); // crash counts belong to a runtime; a new one starts without them
            if (s.quarantined) {
                leave(s); // the marker goes; a recorded quarantine outlives the runtime
                s.quarantined = s.recorded;
            } else if (s.present) {
                if (s.loaded && s.dirty && write(s) != null) {
                    failed = true;
                }
                leave(s); // a shutdown keeps the remember-active marker
            }
        }
        compare(actual, failed ? "close failed !StorageException" : "closed");
        return actual + ", " + restart();
    }

    /**
     * The runtime dies: it is abandoned as it is, with its servers, their timers and its clock, none of which runs
     * again (its clock is never moved), so nothing it held in memory reaches the store. The callers it was holding
     * wait forever.
     */
    private String killRestart() {
        time = new ManualTime();
        for (Srv s : servers) {
            s.crashes.clear();
            s.quarantined = s.recorded; // a recorded quarantine outlives the runtime
            leave(s); // unwritten changes are lost; markers stay where they are
        }
        for (Deferred d : deferred) {
            if (d.pending()) {
                d.orphaned = true;
            }
        }
        return "killed, " + restart();
    }

    /**
     * A new runtime on the same store: waits for its start-up recovery through {@link ServerRuntime#awaitRecovery}
     * (the revivals it starts are then counted as running work, so the settle that follows covers them), and
     * compares which servers came back by themselves.
     */
    private String restart() {
        expected = new Counters();
        runtime = newRuntime();
        bookRead = !down; // the new runtime reads the recorded quarantines as it starts
        if (!runtime.awaitRecovery(SETTLE)) {
            throw new AssertionError("recovery did not finish within " + SETTLE);
        }
        settle();
        List<String> actual = new ArrayList<>();
        for (Srv s : servers) {
            if (runtime.isActive(s.id)) {
                actual.add(s.id.key());
            }
        }
        recover();
        List<String> model = new ArrayList<>();
        for (Srv s : servers) {
            if (s.present && !s.quarantined) { // a recorded quarantine comes back as its marker, not as a revival
                model.add(s.id.key());
            }
        }
        return compare("revived " + actual, "revived " + model);
    }

    private String releaseReal(int server) {
        try {
            return String.valueOf(runtime.release(srv(server).id));
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    private String reconfigure(LifecyclePolicy p, boolean rememberActive) {
        policy = p;
        remember = rememberActive;
        runtime.reconfigure(typeName, options());
        return OK;
    }

    /**
     * {@code runtime.rollback}. When the server is active, the runtime petrifies it first, retrying until it has
     * left or the shutdown timeout passed; see {@link #quiesce}.
     */
    private String rollback(int server, int stepsBack) {
        Srv s = srv(server);
        Quiesced q = quiesce(s);
        if (q.stuck()) {
            return stuck(s, q);
        }
        String actual;
        try {
            actual = value(runtime.rollback(s.id, stepsBack));
        } catch (RuntimeException e) {
            actual = error(e);
        }
        return compare(actual, rollbackModel(s, stepsBack));
    }

    /** {@code runtime.reset}; like {@link #rollback}, it quiesces the server first. */
    private String reset(int server) {
        Srv s = srv(server);
        Quiesced q = quiesce(s);
        if (q.stuck()) {
            return stuck(s, q);
        }
        String actual;
        try {
            runtime.reset(s.id);
            actual = OK;
        } catch (RuntimeException e) {
            actual = error(e);
        }
        return compare(actual, resetModel(s));
    }

    /**
     * An operator action on a server that cannot be petrified (its unwritten state cannot be written: the store is
     * down, or its activation's version was overtaken) would petrify it again and again until the runtime's
     * shutdown timeout ({@link #SETTLE}) and then throw {@link io.github.pgs.CallTimeoutException}. Rather than
     * wait that long, the trial makes the same forced petrifications the model made (which consume the same armed
     * faults; the further ones the runtime would make change nothing) and checks that the server is still active,
     * as the model says; the action itself is not run.
     */
    private String stuck(Srv s, Quiesced q) {
        for (int i = 0; i < q.attempts(); i++) {
            runtime.petrify(s.id);
            settle();
        }
        String what = " after " + q.attempts() + " forced petrifications: not run (it would wait out the shutdown "
                + "timeout and throw CallTimeoutException)";
        return compare((runtime.isActive(s.id) ? "still active" : "petrified") + what, "still active" + what);
    }

    // =============================================================================================================
    // The model

    /** Loads or inits; returns the error the caller sees, or {@code null}. */
    private String load(Srv s) {
        if (down) {
            return "!StorageException";
        }
        bookRead = true; // an activation reads the recorded quarantines before the state
        if (s.failLoads > 0) {
            s.failLoads--;
            return "!StorageException";
        }
        s.present = true;
        s.loaded = true;
        s.actVersion = s.storedVersion;
        if (s.storedCount != null) {
            s.live = s.storedCount;
            s.actPersisted = s.storedCount;
            s.dirty = false;
            expected.revivals++;
        } else {
            s.live = 0;
            s.actPersisted = null;
            s.dirty = true; // a fresh state counts as a change
            expected.activations++;
        }
        s.waiting.clear();
        s.lastActivity = now;
        if (s.idleDue < 0) {
            s.idleDue = now + IDLE;
        }
        if (remember && !s.markHeld) {
            // the activation marks itself active (the store is up: the load just succeeded)
            s.marker = true;
            s.markHeld = true;
        }
        return null;
    }

    /**
     * A failed load: the activation leaves. It is not active any more, so when it held a remember-active marker
     * (a reload after a failed write) the marker goes.
     */
    private void abortLoad(Srv s) {
        unmark(s);
        leave(s);
    }

    /**
     * The activation stops being active (petrified, stopped, crashed, quarantined, failed to reload): it removes
     * the remember-active marker it wrote, unless the store is down (then the marker stays, and the next runtime
     * revives the server).
     */
    private void unmark(Srv s) {
        if (s.markHeld && !down) {
            s.marker = false;
        }
        s.markHeld = false;
    }

    /**
     * The activation leaves the registry; its live state and timers go with it. A leave without {@link #unmark}
     * (a shutdown, the runtime's death) keeps the marker in the store.
     */
    private void leave(Srv s) {
        s.present = false;
        s.loaded = false;
        s.dirty = false;
        s.actPersisted = null;
        s.idleDue = -1;
        s.waiting.clear();
        s.markHeld = false;
    }

    /** The store keeps the state being replaced as history (when live), pruned to the type's depth. */
    private void keepHistory(Srv s) {
        if (s.storedCount != null && historyKept) {
            s.history.addFirst(new long[] {s.storedVersion, s.storedCount});
            while (s.history.size() > RuntimeModel.HISTORY_DEPTH) {
                s.history.removeLast();
            }
        }
    }

    /**
     * The fault injector's competing writer: it bumps the stored version, writing the stored payload again with no
     * history depth, or a tombstone; either way the history is dropped.
     */
    private void competingWrite(Srv s) {
        s.storedVersion++;
        s.history.clear();
    }

    /** A write of the live state if it differs from what this activation last wrote or loaded. */
    private String write(Srv s) {
        if (s.actPersisted != null && s.live == s.actPersisted) {
            s.dirty = false;
            return null;
        }
        if (down) {
            return "StorageException";
        }
        if (s.failSaves > 0) {
            s.failSaves--;
            return "StorageException";
        }
        if (s.conflictSaves > 0) {
            s.conflictSaves--;
            competingWrite(s); // what is stored does not change
        }
        if (s.storedVersion != s.actVersion) {
            return "VersionConflictException";
        }
        keepHistory(s);
        s.storedVersion++;
        s.storedCount = s.live;
        if (s.unknownSaves > 0) {
            s.unknownSaves--;
            return "StorageException"; // written, reported as failed
        }
        expected.writes++;
        s.actVersion = s.storedVersion;
        s.actPersisted = s.live;
        s.dirty = false;
        return null;
    }

    /** The tombstone write of a wipe; returns the failure or {@code null}. */
    private String wipe(Srv s) {
        if (s.actVersion == 0) {
            return null;
        }
        if (down) {
            return "StorageException";
        }
        if (s.storedVersion != s.actVersion) {
            return "VersionConflictException";
        }
        s.storedVersion++;
        s.storedCount = null;
        s.history.clear();
        s.actVersion = s.storedVersion;
        return null;
    }

    /** Commit of a handler's result; returns the caller's error or {@code null}. */
    private String commit(Srv s, boolean persist) {
        if (!persist) {
            s.dirty = true;
            return null;
        }
        String f = write(s);
        if (f != null) {
            s.loaded = false;
            s.dirty = false;
            s.actPersisted = null;
            s.waiting.clear();
            expected.writeFailures++;
            return "!PersistenceException(" + f + ")";
        }
        return null;
    }

    /**
     * A message to a quarantined server: refused by its marker, or, when only the store records the quarantine (an
     * earlier runtime made it), by the new activation, which reads the record and becomes the marker. {@code null}
     * when not quarantined, or when the records cannot be read (the store is down: the activation fails to load).
     */
    private String refusedByQuarantine(Srv s) {
        if (!s.quarantined) {
            return null;
        }
        if (!s.present) {
            if (!bookRead && down) {
                return null;
            }
            bookRead = true;
            s.present = true; // the recorded quarantine's marker, nothing new counted
        }
        return "!QuarantinedException";
    }

    /** A message reaches the server: refused when quarantined, loaded first when needed. */
    private String arrive(Srv s) {
        String refused = refusedByQuarantine(s);
        if (refused != null) {
            return refused;
        }
        if (!s.loaded) {
            String f = load(s);
            if (f != null) {
                abortLoad(s);
                return f;
            }
        }
        s.lastActivity = now;
        return null;
    }

    private String inc(Srv s, int by) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        s.live += by;
        long reply = s.live;
        f = commit(s, true);
        return f != null ? f : value(reply);
    }

    private String get(Srv s) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        long reply = s.live;
        f = commit(s, true);
        return f != null ? f : value(reply);
    }

    private String incNoPersist(Srv s) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        s.live += 1;
        commit(s, false);
        return value(s.live);
    }

    private String deferModel(Srv s, CompletableFuture<Long> future) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        f = commit(s, true);
        if (f != null) {
            return f;
        }
        Deferred d = new Deferred("deferred call " + deferred.size() + " to " + s.id.key(), future,
                now + CALL_TIMEOUT);
        deferred.add(d);
        s.waiting.add(d);
        return "waiting";
    }

    private String release(Srv s) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        s.live += 1;
        List<Deferred> answered = new ArrayList<>();
        for (Deferred d : s.waiting) {
            if (d.pending()) {
                answered.add(d);
            }
        }
        long reply = s.live;
        f = commit(s, true);
        if (f != null) {
            return f;
        }
        for (Deferred d : answered) {
            d.answer = reply;
        }
        s.waiting.clear();
        return value(answered.size());
    }

    private String crashCall(Srv s, boolean error) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        crash(s);
        return "!ServerCrashedException(" + (error ? "ModelError" : "IllegalStateException") + ")";
    }

    private String castChange(Srv s, int by) {
        if (s.quarantined && s.present) {
            return "!QuarantinedException"; // refused by the marker; otherwise queued, and dropped if refused
        }
        if (arrive(s) != null) {
            return OK; // dropped: a cast has nobody to tell
        }
        s.live += by;
        commit(s, true);
        return OK;
    }

    private String castCrash(Srv s) {
        if (s.quarantined && s.present) {
            return "!QuarantinedException";
        }
        if (arrive(s) == null) {
            crash(s);
        }
        return OK;
    }

    private void crash(Srv s) {
        expected.crashes++;
        if (policy == LifecyclePolicy.TEMPORARY) {
            wipe(s); // a failure is logged; the state stays
        }
        while (!s.crashes.isEmpty() && now - s.crashes.peekFirst() > WINDOW) {
            s.crashes.pollFirst();
        }
        s.crashes.addLast(now);
        unmark(s); // crashed, and maybe quarantined: either way no longer active
        if (s.crashes.size() > RuntimeModel.MAX_RESTARTS) {
            leave(s);
            s.present = true;
            s.quarantined = true;
            s.recorded = !down; // recorded in the store, so that it outlives this runtime
            expected.quarantines++;
            return;
        }
        leave(s);
        if (policy == LifecyclePolicy.PERMANENT && load(s) != null) {
            abortLoad(s);
        }
    }

    private static boolean wipes(LifecyclePolicy policy, boolean normal) {
        return switch (policy) {
            case TEMPORARY -> true;
            case TRANSIENT -> normal;
            case PERMANENT -> false;
        };
    }

    /** A stop of a loaded server: final write or wipe, then it leaves; returns the failure or {@code null}. */
    private String stopLoaded(Srv s, boolean normal) {
        boolean wipe = wipes(policy, normal);
        String failure = null;
        if (!wipe) {
            String f = write(s);
            if (f != null) {
                failure = "!PersistenceException(" + f + ")";
            }
        }
        if (wipe) {
            String f = wipe(s);
            if (f != null) {
                failure = "!PersistenceException(" + f + ")";
            }
        }
        expected.stops++;
        unmark(s);
        leave(s);
        return failure;
    }

    private String stopRequest(Srv s, boolean normal) {
        String refused = refusedByQuarantine(s);
        if (refused != null) {
            return refused;
        }
        if (!s.loaded) {
            String f = load(s);
            if (f != null) {
                abortLoad(s);
                return f;
            }
        }
        String failure = stopLoaded(s, normal);
        return failure != null ? failure : OK;
    }

    private String stopByCall(Srv s, boolean normal) {
        String f = arrive(s);
        if (f != null) {
            return f;
        }
        String failure = stopLoaded(s, normal);
        return failure != null ? failure : value("bye");
    }

    /** A forced petrification; returns what {@code runtime.petrify} returns. */
    private boolean petrify(Srv s) {
        if (!s.present) {
            return false;
        }
        if (s.quarantined) {
            return true;
        }
        if (s.loaded && s.dirty && write(s) != null) {
            return true; // could not persist: stays active
        }
        expected.petrifications++;
        unmark(s);
        leave(s);
        return true;
    }

    private void idleCheck(Srv s) {
        s.idleDue = -1;
        if (now - s.lastActivity < IDLE) {
            s.idleDue = s.lastActivity + IDLE;
            return;
        }
        if (s.loaded && s.dirty && write(s) != null) {
            s.idleDue = now + IDLE; // stays active, tries again after another idle timeout
            return;
        }
        expected.petrifications++;
        unmark(s);
        leave(s);
    }

    private String start(Srv s) {
        String refused = refusedByQuarantine(s);
        if (refused != null) {
            return refused;
        }
        if (!s.loaded) {
            String f = load(s);
            if (f != null) {
                abortLoad(s);
                return f;
            }
        }
        return OK;
    }

    /** {@code runtime.release}: deletes the record (it needs the store), then lifts the quarantine in memory. */
    private String releaseQuarantine(Srv s) {
        if (down) {
            return "!StorageException";
        }
        boolean was = s.quarantined || s.recorded;
        s.recorded = false;
        s.crashes.clear();
        if (s.quarantined) {
            s.quarantined = false;
            s.present = false;
        }
        return String.valueOf(was);
    }

    /** The outcome of {@link #quiesce}: the forced petrifications made, and whether the server is still active. */
    private record Quiesced(int attempts, boolean stuck) {
    }

    /**
     * What the runtime does before a rollback or reset: petrify the server while it is active (a quarantined one
     * stays put), again and again until it has left. It never leaves when its unwritten state cannot be written:
     * the store is down, or the activation's version was overtaken (a conflicting or unknown-outcome write) once
     * the armed faults a retry would still consume are used up.
     */
    private Quiesced quiesce(Srv s) {
        int attempts = 0;
        while (s.present && !s.quarantined) {
            attempts++;
            petrify(s);
            if (!s.present) {
                break;
            }
            if (down || (s.storedVersion != s.actVersion && s.failSaves == 0 && s.conflictSaves == 0)) {
                return new Quiesced(attempts, true);
            }
        }
        return new Quiesced(attempts, false);
    }

    /**
     * {@code rollback} after the quiesce: the kept history (most recent first), the target's payload written with
     * the type's depth over the current version (read just before), then the quarantine lifted and recent crashes
     * forgotten; returns the new version.
     */
    private String rollbackModel(Srv s, int stepsBack) {
        if (down) {
            return "!StorageException";
        }
        if (!historyKept) {
            return "!UnsupportedOperationException";
        }
        if (stepsBack > s.history.size()) {
            return "!IllegalArgumentException";
        }
        long target = new ArrayList<>(s.history).get(stepsBack - 1)[1];
        if (s.failLoads > 0) {
            s.failLoads--;
            return "!StorageException";
        }
        if (s.failSaves > 0) {
            s.failSaves--;
            return "!StorageException";
        }
        if (s.conflictSaves > 0) {
            s.conflictSaves--;
            competingWrite(s);
            return "!VersionConflictException";
        }
        keepHistory(s);
        s.storedVersion++;
        s.storedCount = target;
        if (s.unknownSaves > 0) {
            s.unknownSaves--;
            return "!StorageException"; // written, reported as failed: the quarantine stays
        }
        lifted(s);
        return value(s.storedVersion);
    }

    /** {@code reset} after the quiesce: a tombstone over whatever is stored (if anything), then the release. */
    private String resetModel(Srv s) {
        if (down) {
            return "!StorageException";
        }
        if (s.failLoads > 0) {
            s.failLoads--;
            return "!StorageException";
        }
        if (s.storedVersion > 0) {
            s.storedVersion++;
            s.storedCount = null;
            s.history.clear();
        }
        lifted(s);
        return OK;
    }

    /** The release that ends a successful rollback or reset: crashes forgotten, quarantine lifted. */
    private void lifted(Srv s) {
        s.crashes.clear();
        s.recorded = false;
        if (s.quarantined) {
            s.quarantined = false;
            s.present = false;
        }
    }

    /**
     * What a new runtime's start-up recovery revives (unless the store is down, which stops it): every server with
     * a stored state when the type is {@code PERMANENT}, and, when the type remembers active servers, every server
     * that was active when the previous runtime closed or died (whose marker is in the store), whatever its policy
     * and whether or not it ever wrote a state.
     */
    private void recover() {
        if (down) {
            return;
        }
        for (Srv s : servers) {
            boolean revive = (policy == LifecyclePolicy.PERMANENT && s.storedCount != null) || (remember && s.marker);
            if (revive && !s.present && s.quarantined) {
                s.present = true; // the recorded quarantine's marker: it fails fast, nothing is revived
            } else if (revive && !s.present && load(s) != null) {
                abortLoad(s);
            }
        }
    }

    // =============================================================================================================
    // Comparison

    private void checkEverything() throws Exception {
        if (probe.overlap() != null) {
            throw new AssertionError(probe.overlap());
        }
        int present = 0;
        for (Srv s : servers) {
            checkStored(s);
            boolean active = runtime.isActive(s.id);
            boolean quarantined = runtime.isQuarantined(s.id);
            // a recorded quarantine is known before any message once the runtime has read the records
            boolean modelQuarantined = s.quarantined && (s.present || bookRead);
            if (active != (s.present && !s.quarantined) || quarantined != modelQuarantined) {
                throw new AssertionError(s.id.key() + ": system active=" + active + " quarantined=" + quarantined
                        + ", model active=" + (s.present && !s.quarantined) + " quarantined=" + modelQuarantined);
            }
            if (s.present) {
                present++;
            }
        }
        for (Deferred d : deferred) {
            checkDeferred(d);
        }
        RuntimeStats st = runtime.stats();
        String actual = counters(st.activations(), st.revivals(), st.petrifications(), st.stops(), st.crashes(),
                st.quarantines(), st.writes(), st.writeFailures(), st.active());
        String model = counters(expected.activations, expected.revivals, expected.petrifications, expected.stops,
                expected.crashes, expected.quarantines, expected.writes, expected.writeFailures, present);
        if (!actual.equals(model)) {
            throw new AssertionError("runtime counters: system " + actual + ", model " + model);
        }
    }

    private static String counters(long activations, long revivals, long petrifications, long stops, long crashes,
                                   long quarantines, long writes, long writeFailures, long active) {
        return "activations=" + activations + " revivals=" + revivals + " petrifications=" + petrifications
                + " stops=" + stops + " crashes=" + crashes + " quarantines=" + quarantines + " writes=" + writes
                + " writeFailures=" + writeFailures + " active=" + active;
    }

    private void checkStored(Srv s) {
        StoredState st = raw.load(s.id);
        String actual;
        if (st.hasPayload()) {
            ModelCounter.Saved saved = (ModelCounter.Saved) codec.decode(st.payload(), ModelCounter.Saved.class,
                    id -> runtime.ref(id));
            actual = "v" + st.version() + " count " + saved.count();
        } else {
            actual = "v" + st.version() + (st.version() == 0 ? " absent" : " tombstone");
        }
        String model = "v" + s.storedVersion + (s.storedCount != null ? " count " + s.storedCount
                : s.storedVersion == 0 ? " absent" : " tombstone");
        if (!actual.equals(model)) {
            throw new AssertionError("stored state of " + s.id.key() + ": system " + actual + ", model " + model
                    + " (payload " + (st.hasPayload() ? new String(st.payload(), StandardCharsets.UTF_8) : "none")
                    + ")");
        }
        if (checkHistory) {
            StringBuilder b = new StringBuilder("[");
            for (StoredState h : raw.history(s.id)) {
                b.append(b.length() > 1 ? ", " : "").append("v").append(h.version()).append(" count ")
                        .append(h.hasPayload() ? String.valueOf(count(h)) : "none");
            }
            String history = b.append("]").toString();
            if (!history.equals(s.historyText())) {
                throw new AssertionError("history of " + s.id.key() + ": system " + history + ", model "
                        + s.historyText());
            }
        }
        boolean recorded = raw.load(s.quarantineId).hasPayload();
        if (recorded != s.recorded) {
            throw new AssertionError("recorded quarantine of " + s.id.key() + ": system " + (recorded ? "stored"
                    : "none") + ", model " + (s.recorded ? "stored" : "none"));
        }
        boolean marked = raw.load(s.markerId).hasPayload();
        if (marked != s.marker) {
            throw new AssertionError("remember-active marker of " + s.id.key() + ": system " + (marked ? "stored"
                    : "none") + ", model " + (s.marker ? "stored" : "none"));
        }
    }

    private long count(StoredState st) {
        return ((ModelCounter.Saved) codec.decode(st.payload(), ModelCounter.Saved.class, id -> runtime.ref(id)))
                .count();
    }

    private void checkDeferred(Deferred d) throws Exception {
        CompletableFuture<Long> f = d.future;
        String actual = !f.isDone() ? "waiting"
                : f.isCompletedExceptionally() ? error(f.exceptionNow()) : value(f.get(0, TimeUnit.SECONDS));
        String model = d.answer != null ? value(d.answer) : d.timedOut ? "!CallTimeoutException" : "waiting";
        if (!actual.equals(model)) {
            throw new AssertionError(d.label + ": system " + actual + ", model " + model);
        }
    }

    @Override
    public String toString() {
        return "RuntimeTrial[" + typeName + ", policy " + policy + (remember ? " rememberActive" : "") + ", now "
                + Duration.ofNanos(now) + (down ? ", store down" : "") + ", servers " + Arrays.toString(servers) + "]";
    }
}
