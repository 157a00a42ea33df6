package io.github.pgs.testkit.tck;

import io.github.pgs.ServerId;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Model-based conformance check for a {@link Storage}: runs seeded random sequences of {@code load},
 * {@code save}, {@code delete}, {@code list}, {@code loadAll}, {@code history} and {@code due} against the store
 * and against a plain map that implements the contract, and compares them after every step.
 *
 * <h2>What a sequence does</h2>
 * Each sequence works on six keys (among them the empty key, a key with NUL, one with quotes, {@code %},
 * {@code _} and a backslash, and two whose UTF-8 and UTF-16 orders differ) of two fresh type names, {@code A}
 * and {@code B}, where {@code B} is {@code A + "_b"} so that prefix and wildcard confusions between types show.
 * Saves and deletes use the current version, a stale one or a future one; the model predicts the returned
 * version or the {@link VersionConflictException} with its expected and actual versions. Saves ask for a random
 * history depth from 0 to 3, and the model keeps the replaced states each save asks for (see
 * {@link Storage#history}). After every save and delete the key is loaded back and its history read; lists are
 * checked page by page (keys, order and cursor); a history entry must be the replaced state exactly as it was
 * stored, with the write time the store gave it; at the end of each sequence every id is loaded, loaded in bulk,
 * its history read, and every type is listed in full. {@link #withHistory(boolean) withHistory(false)} runs the
 * sequences without depths and without history reads, for a store that keeps no history.
 *
 * <p>Saves also carry a random reminder set (or none) due at one of five instants {@code +1 .. +5} after a base
 * instant drawn afresh for every replay (so that other data in the store, all of it due at other instants, never
 * shows), and loads compare it with the model. A {@code due} step pages through the servers due by an instant
 * from just before the base, with the step's page size, and checks: exactly the model's servers with reminders
 * due by then, each once, in ascending due time; every page within its limit, with a cursor exactly when more are
 * due; the same order as one large page (the order among servers due at the same instant is the store's choice,
 * but it must be stable); from the cursor of a page that ended after the first few, exactly the rest of that
 * order; and from {@link DueCursor#startingAt} one of the instants, exactly the servers due at or after it. Traces show instants relative to the base. {@link #withReminders(boolean) withReminders(false)} leaves
 * reminders out, for a store that keeps none.
 *
 * <h2>Failures</h2>
 * On the first divergence the sequence is shrunk (steps are removed while it still diverges, each attempt
 * replayed on fresh type names) and a {@link StorageModelDivergence} is thrown naming the seed of the failing
 * sequence and listing the shrunk steps with their outcomes. The run's seed is printed on standard output when
 * it starts.
 *
 * <h2>Configuration</h2>
 * {@link #forStorage(Storage)} reads these system properties:
 * <ul>
 *   <li>{@value #SEED_PROPERTY}: the seed of the first sequence (default: random); later sequences use seeds
 *       derived from it, so a reported sequence seed replays that sequence first;</li>
 *   <li>{@value #SEQUENCES_PROPERTY}: how many sequences to run (default {@value #DEFAULT_SEQUENCES});</li>
 *   <li>{@value #STEPS_PROPERTY}: steps per sequence (default {@value #DEFAULT_STEPS}).</li>
 * </ul>
 * The {@code with...} methods override them; history and reminders are on unless {@link #withHistory(boolean)} or
 * {@link #withReminders(boolean)} turn them off.
 *
 * <p>Instances are immutable; {@link #run()} uses the store from the calling thread only. The store may hold
 * other data: only the fresh type names are touched, and nothing is cleaned up afterwards.
 */
public final class StorageModelRunner {

    /** System property holding the seed of the first sequence. */
    public static final String SEED_PROPERTY = "pgs.tck.seed";
    /** System property holding the number of sequences. */
    public static final String SEQUENCES_PROPERTY = "pgs.tck.sequences";
    /** System property holding the number of steps per sequence. */
    public static final String STEPS_PROPERTY = "pgs.tck.steps";
    /** Sequences per run unless configured. */
    public static final int DEFAULT_SEQUENCES = 200;
    /** Steps per sequence unless configured. */
    public static final int DEFAULT_STEPS = 50;

    /** Bounds the time spent shrinking one failure. */
    private static final int MAX_SHRINK_REPLAYS = 2_000;

    private static final List<String> KEYS = List.of(
            "", "a", "a\u0000", "B'\"%_\\", "\uE000", "\uD83D\uDE00");
    /** A cursor that is no key but sorts between {@code "a\u0000"} and {@code "\uE000"}. */
    private static final String NON_KEY_CURSOR = "a\u0001";
    private static final String[] TYPE_LABELS = {"A", "B"};
    private static final Comparator<String> UTF8_ORDER = (x, y) ->
            Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
    private static final AtomicLong TYPE_COUNTER = new AtomicLong();
    /** Reminders are due at base + 1 .. base + {@value}; due steps look up to base + REMIND_SLOTS + 1. */
    private static final int REMIND_SLOTS = 5;

    private final Storage storage;
    private final long seed;
    private final int sequences;
    private final int steps;
    private final boolean history;
    private final boolean reminders;

    private StorageModelRunner(Storage storage, long seed, int sequences, int steps, boolean history,
                               boolean reminders) {
        this.storage = Objects.requireNonNull(storage, "storage");
        if (sequences < 1) {
            throw new IllegalArgumentException("sequences must be >= 1: " + sequences);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1: " + steps);
        }
        this.seed = seed;
        this.sequences = sequences;
        this.steps = steps;
        this.history = history;
        this.reminders = reminders;
    }

    /**
     * A runner for {@code storage} configured from the system properties {@value #SEED_PROPERTY},
     * {@value #SEQUENCES_PROPERTY} and {@value #STEPS_PROPERTY}.
     *
     * @throws IllegalArgumentException if a property is set but is not a number, or a count is below 1
     */
    public static StorageModelRunner forStorage(Storage storage) {
        String seedText = System.getProperty(SEED_PROPERTY);
        long seed = seedText == null || seedText.isBlank()
                ? ThreadLocalRandom.current().nextLong()
                : parseLong(SEED_PROPERTY, seedText);
        return new StorageModelRunner(storage, seed,
                intProperty(SEQUENCES_PROPERTY, DEFAULT_SEQUENCES), intProperty(STEPS_PROPERTY, DEFAULT_STEPS), true,
                true);
    }

    /** This runner with another seed for the first sequence. */
    public StorageModelRunner withSeed(long seed) {
        return new StorageModelRunner(storage, seed, sequences, steps, history, reminders);
    }

    /**
     * This runner with another number of sequences.
     *
     * @throws IllegalArgumentException if {@code sequences < 1}
     */
    public StorageModelRunner withSequences(int sequences) {
        return new StorageModelRunner(storage, seed, sequences, steps, history, reminders);
    }

    /**
     * This runner with another number of steps per sequence.
     *
     * @throws IllegalArgumentException if {@code steps < 1}
     */
    public StorageModelRunner withSteps(int steps) {
        return new StorageModelRunner(storage, seed, sequences, steps, history, reminders);
    }

    /**
     * This runner with state history checked ({@code true}, the default) or left out ({@code false}: every save
     * has depth 0 and {@link Storage#history} is never called, for a store that keeps no history).
     */
    public StorageModelRunner withHistory(boolean history) {
        return new StorageModelRunner(storage, seed, sequences, steps, history, reminders);
    }

    /**
     * This runner with reminders checked ({@code true}, the default) or left out ({@code false}: no save carries
     * reminders and {@link Storage#due} is never called, for a store that keeps no reminders).
     */
    public StorageModelRunner withReminders(boolean reminders) {
        return new StorageModelRunner(storage, seed, sequences, steps, history, reminders);
    }

    /** Whether the sequences save reminder sets and check {@link Storage#due}. */
    public boolean reminders() {
        return reminders;
    }

    /** Whether the sequences use history depths and check {@link Storage#history}. */
    public boolean history() {
        return history;
    }

    /** The seed of the first sequence. */
    public long seed() {
        return seed;
    }

    /** The number of sequences {@link #run()} runs. */
    public int sequences() {
        return sequences;
    }

    /** The number of steps in each sequence. */
    public int steps() {
        return steps;
    }

    /**
     * Runs every sequence, stopping at the first divergence.
     *
     * @throws StorageModelDivergence if the store's behaviour differs from the model's, with the failing
     *                                sequence's seed and its shrunk steps
     */
    public void run() {
        System.out.println("StorageModelRunner: seed=" + seed + " sequences=" + sequences + " steps=" + steps
                + (history ? "" : " history=off") + (reminders ? "" : " reminders=off")
                + " (reproduce with -D" + SEED_PROPERTY + "=" + seed + " -D" + STEPS_PROPERTY + "=" + steps + ")");
        for (int i = 0; i < sequences; i++) {
            long sequenceSeed = sequenceSeed(seed, i);
            List<Step> sequence = generate(new Random(sequenceSeed), steps);
            Outcome outcome = replay(sequence);
            if (outcome.diverged()) {
                throw report(sequenceSeed, i, sequence, outcome);
            }
        }
    }

    /** Sequence 0 uses the run's seed itself, so that a reported sequence seed replays that sequence first. */
    static long sequenceSeed(long runSeed, int index) {
        if (index == 0) {
            return runSeed;
        }
        long z = runSeed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Steps

    private sealed interface Step permits Load, Save, Delete, ListPage, LoadAll, History, Due {
    }

    private record Load(int type, int key) implements Step {
    }

    /**
     * {@code versionOffset} is relative to the model's version when the step runs: 0 current, &lt;0 stale.
     * {@code reminders == null}: none; else due at the replay's base instant plus {@code remindSlot}.
     */
    private record Save(int type, int key, int versionOffset, byte[] payload, int schemaVersion, int historyDepth,
                        byte[] reminders, int remindSlot) implements Step {
    }

    /**
     * Servers due by base + {@code notAfterSlot}, paged {@code limit} at a time, from just before the base
     * ({@code cursor} -1); for an even {@code cursor} from {@link DueCursor#startingAt} base + {@code cursorSlot};
     * for an odd one from the cursor of a page of the first {@code (cursor / 2) % (due + 1)} servers.
     */
    private record Due(int notAfterSlot, int limit, int cursor, int cursorSlot) implements Step {
    }

    private record Delete(int type, int key, int versionOffset) implements Step {
    }

    /** {@code after}: -1 for no cursor, a key index, or {@code KEYS.size()} for {@link #NON_KEY_CURSOR}. */
    private record ListPage(int type, int after, int limit) implements Step {
    }

    private record History(int type, int key) implements Step {
    }

    /** {@code ids}: distinct indexes {@code type * KEYS.size() + key}. */
    private record LoadAll(int[] ids) implements Step {
    }

    private List<Step> generate(Random random, int count) {
        List<Step> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(nextStep(random));
        }
        return out;
    }

    private Step nextStep(Random random) {
        int type = random.nextInt(10) < 7 ? 0 : 1;
        int key = random.nextInt(KEYS.size());
        int roll = random.nextInt(100);
        if (roll < 13) {
            return new Load(type, key);
        }
        if (roll < 53) {
            byte[] payload = new byte[random.nextInt(5)];
            random.nextBytes(payload);
            int offset = versionOffset(random);
            int schema = random.nextInt(4);
            int depth = random.nextInt(4);
            byte[] set = null;
            int slot = 0;
            if (reminders && random.nextBoolean()) {
                set = new byte[random.nextInt(4)];
                random.nextBytes(set);
                slot = 1 + random.nextInt(REMIND_SLOTS);
            }
            return new Save(type, key, offset, payload, schema, history ? depth : 0, set, slot);
        }
        if (roll < 66) {
            return new Delete(type, key, versionOffset(random));
        }
        if (roll < 76) {
            return history ? new History(type, key) : new Load(type, key);
        }
        if (roll < 88) {
            int after = random.nextInt(5) < 2 ? -1 : random.nextInt(KEYS.size() + 1);
            int limit = random.nextInt(10) == 0 ? 100 : 1 + random.nextInt(4);
            return new ListPage(type, after, limit);
        }
        int total = TYPE_LABELS.length * KEYS.size();
        if (reminders && roll < 94) {
            int limit = random.nextInt(10) == 0 ? 100 : 1 + random.nextInt(4);
            int cursor = random.nextInt(3) == 0 ? -1 : random.nextInt(total);
            return new Due(random.nextInt(REMIND_SLOTS + 2), limit, cursor, random.nextInt(REMIND_SLOTS + 2));
        }
        List<Integer> all = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            all.add(i);
        }
        int n = random.nextInt(6);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = all.remove(random.nextInt(all.size()));
        }
        return new LoadAll(ids);
    }

    private static int versionOffset(Random random) {
        int roll = random.nextInt(10);
        if (roll < 6) {
            return 0;
        }
        if (roll < 8) {
            return -1 - random.nextInt(3);
        }
        return 1 + random.nextInt(2);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Replay against the store and the model

    /**
     * What the model holds for one id; {@code payload == null} with {@code version > 0} is a tombstone.
     * {@code updatedAtMillis} is the write time the store reported when the state was loaded back after its write
     * (0 until then), which a history entry of this state must carry.
     */
    private record Expected(long version, byte[] payload, int schemaVersion, long updatedAtMillis, byte[] reminders,
                            long remindAt) {
        static final Expected ABSENT = new Expected(0, null, 0, 0, null, 0);
    }

    /**
     * The result of one replay. {@code failedStep} is the index of the diverging step, {@code steps.size()} for
     * the end-of-sequence check, or -1 when the store agreed with the model throughout.
     */
    private record Outcome(List<String> trace, int failedStep, String divergence, Throwable cause) {
        boolean diverged() {
            return failedStep >= 0;
        }
    }

    /** A divergence found while running one step. */
    private static final class Diverged extends Exception {
        private static final long serialVersionUID = 1L;
        private final String outcome;

        Diverged(String outcome, String divergence, Throwable cause) {
            super(divergence, cause, false, false);
            this.outcome = outcome;
        }
    }

    private Outcome replay(List<Step> sequence) {
        return new Replay().run(sequence);
    }

    private final class Replay {
        private final String[] types;
        private final Map<ServerId, Expected> model = new HashMap<>();
        /** The kept states per id, most recent first. */
        private final Map<ServerId, List<Expected>> histories = new HashMap<>();
        private final List<String> trace = new ArrayList<>();
        /** The instant the reminders of this replay are relative to; no other replay or test uses it. */
        private final long base = ThreadLocalRandom.current().nextLong(1L << 41, 1L << 51);

        Replay() {
            String base = "tckm-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
                    + "-" + TYPE_COUNTER.incrementAndGet();
            types = new String[] {base, base + "_b"};
        }

        Outcome run(List<Step> sequence) {
            for (int i = 0; i < sequence.size(); i++) {
                Step step = sequence.get(i);
                String description = describe(step);
                try {
                    String result = execute(step);
                    trace.add((i + 1) + ". " + description + " -> " + result);
                } catch (Diverged d) {
                    trace.add((i + 1) + ". " + description + " -> " + d.outcome + "   <-- diverged");
                    return new Outcome(trace, i, d.getMessage(), d.getCause());
                }
            }
            try {
                checkEverything();
            } catch (Diverged d) {
                trace.add("end: load, loadAll and list every id" + (reminders ? ", due all" : "") + " -> "
                        + d.outcome + "   <-- diverged");
                return new Outcome(trace, sequence.size(), d.getMessage(), d.getCause());
            }
            return new Outcome(trace, -1, null, null);
        }

        private ServerId id(int type, int key) {
            return new ServerId(types[type], KEYS.get(key));
        }

        private ServerId id(int index) {
            return id(index / KEYS.size(), index % KEYS.size());
        }

        private Expected expected(ServerId id) {
            return model.getOrDefault(id, Expected.ABSENT);
        }

        private List<Expected> expectedHistory(ServerId id) {
            return histories.getOrDefault(id, List.of());
        }

        private String execute(Step step) throws Diverged {
            return switch (step) {
                case Load l -> load(l);
                case Save s -> save(s);
                case Delete d -> delete(d);
                case ListPage p -> list(p);
                case LoadAll a -> loadAll(a);
                case History h -> history(h);
                case Due d -> due(d);
            };
        }

        private String load(Load step) throws Diverged {
            ServerId id = id(step.type(), step.key());
            StoredState state = loadOrDiverge(id, "load", "");
            checkState(id, state, "load", "");
            return render(state, base);
        }

        private String save(Save step) throws Diverged {
            ServerId id = id(step.type(), step.key());
            long current = expected(id).version();
            long expectedVersion = Math.max(0, current + step.versionOffset());
            byte[] payload = step.payload().clone();
            long returned;
            long remindAt = step.reminders() == null ? 0 : base + step.remindSlot();
            try {
                returned = storage.save(new StateWrite(id, expectedVersion, payload, step.schemaVersion(),
                        step.historyDepth(), step.reminders() == null ? null : step.reminders().clone(), remindAt));
            } catch (VersionConflictException e) {
                checkConflict(e, expectedVersion, current);
                return afterWrite(id, conflict(e));
            } catch (RuntimeException e) {
                throw new Diverged("threw " + e,
                        "save threw " + e + "; model: " + prediction(expectedVersion, current), e);
            }
            if (expectedVersion != current) {
                throw new Diverged("returned " + returned, "save succeeded although the stored version was "
                        + current + "; model: " + prediction(expectedVersion, current), null);
            }
            if (returned != current + 1) {
                throw new Diverged("returned " + returned,
                        "save returned " + returned + "; model: returns " + (current + 1), null);
            }
            keepHistory(id, step.historyDepth());
            model.put(id, new Expected(returned, step.payload().clone(), step.schemaVersion(), 0,
                    step.reminders() == null ? null : step.reminders().clone(), remindAt));
            return afterWrite(id, Long.toString(returned));
        }

        private String delete(Delete step) throws Diverged {
            ServerId id = id(step.type(), step.key());
            long current = expected(id).version();
            long expectedVersion = Math.max(0, current + step.versionOffset());
            long returned;
            try {
                returned = storage.delete(id, expectedVersion);
            } catch (VersionConflictException e) {
                checkConflict(e, expectedVersion, current);
                return afterWrite(id, conflict(e));
            } catch (RuntimeException e) {
                throw new Diverged("threw " + e,
                        "delete threw " + e + "; model: " + prediction(expectedVersion, current), e);
            }
            if (expectedVersion != current) {
                throw new Diverged("returned " + returned, "delete succeeded although the stored version was "
                        + current + "; model: " + prediction(expectedVersion, current), null);
            }
            if (returned != current + 1) {
                throw new Diverged("returned " + returned,
                        "delete returned " + returned + "; model: returns " + (current + 1), null);
            }
            histories.remove(id);
            model.put(id, new Expected(returned, null, 0, 0, null, 0));
            return afterWrite(id, Long.toString(returned));
        }

        private void checkConflict(VersionConflictException e, long expectedVersion, long current) throws Diverged {
            if (expectedVersion == current) {
                throw new Diverged(conflict(e), "write was rejected with " + conflict(e)
                        + " although the stored version was " + current + "; model: returns " + (current + 1), e);
            }
            if (e.expectedVersion() != expectedVersion || e.actualVersion() != current) {
                throw new Diverged(conflict(e), "conflict carries the wrong versions; model: "
                        + prediction(expectedVersion, current), e);
            }
        }

        /** The model's side of a successful save: the replaced state joins the history, as {@code depth} says. */
        private void keepHistory(ServerId id, int depth) {
            Expected replaced = expected(id);
            if (depth == 0) {
                histories.remove(id);
            } else if (replaced.payload() != null) {
                List<Expected> kept = new ArrayList<>(depth);
                kept.add(new Expected(replaced.version(), replaced.payload(), replaced.schemaVersion(),
                        replaced.updatedAtMillis(), null, 0)); // history entries carry no reminders
                List<Expected> older = expectedHistory(id);
                kept.addAll(older.subList(0, Math.min(older.size(), depth - 1)));
                histories.put(id, kept);
            }
        }

        /**
         * Loads the written id back (and reads its history), so that a write that reported the right thing but
         * stored another shows. Records the write time of a written state for later history checks.
         */
        private String afterWrite(ServerId id, String result) throws Diverged {
            StoredState state = loadOrDiverge(id, "load after the write", result + ", then load ");
            checkState(id, state, "load after the write", result + ", then load ");
            Expected want = expected(id);
            if (want.version() > 0 && want.updatedAtMillis() == 0) {
                model.put(id, new Expected(want.version(), want.payload(), want.schemaVersion(),
                        state.updatedAtMillis(), want.reminders(), want.remindAt()));
            }
            String shown = result + ", then load -> " + render(state, base);
            if (!history) {
                return shown;
            }
            return shown + ", history -> " + checkHistory(id, "history after the write", shown + ", history ");
        }

        private String history(History step) throws Diverged {
            return checkHistory(id(step.type(), step.key()), "history", "");
        }

        /**
         * Reads the history of {@code id} and compares it with the model's, write times included.
         *
         * @param what  the operation, for the divergence message
         * @param trace how the trace line shows the outcome before the returned history
         */
        private String checkHistory(ServerId id, String what, String trace) throws Diverged {
            List<StoredState> got;
            try {
                got = storage.history(id);
            } catch (RuntimeException e) {
                throw new Diverged(trace + "threw " + e, what + " of " + label(id) + " threw " + e, e);
            }
            List<Expected> want = expectedHistory(id);
            boolean ok = got != null && got.size() == want.size();
            for (int i = 0; ok && i < want.size(); i++) {
                StoredState s = got.get(i);
                Expected e = want.get(i);
                ok = s != null && s.version() == e.version() && Arrays.equals(s.payload(), e.payload())
                        && s.payload() != null && s.schemaVersion() == e.schemaVersion()
                        && s.updatedAtMillis() == e.updatedAtMillis()
                        && s.reminders() == null && s.remindAtMillis() == 0;
            }
            String rendered = renderHistory(got, want);
            if (!ok) {
                throw new Diverged(trace + "-> " + rendered, what + " of " + label(id) + " returned " + rendered
                        + "; model: " + renderExpectedHistory(want), null);
            }
            return rendered;
        }

        private String list(ListPage step) throws Diverged {
            String type = types[step.type()];
            String after = cursor(step.after());
            List<String> live = liveKeys(step.type());
            List<String> rest = after == null ? live
                    : live.stream().filter(k -> UTF8_ORDER.compare(k, after) > 0).toList();
            List<String> expectedKeys = rest.subList(0, Math.min(step.limit(), rest.size()));
            String expectedNext = rest.size() > step.limit() ? expectedKeys.get(expectedKeys.size() - 1) : null;
            KeyPage page;
            try {
                page = storage.list(type, after == null ? null : KeyCursor.after(after), step.limit());
            } catch (RuntimeException e) {
                throw new Diverged("threw " + e, "list threw " + e, e);
            }
            String rendered = render(page);
            KeyPage model = new KeyPage(expectedKeys, expectedNext == null ? null : KeyCursor.after(expectedNext));
            if (page == null || !page.keys().equals(expectedKeys) || !Objects.equals(page.next(), model.next())
                    || !page.skipped().isEmpty()) {
                throw new Diverged(rendered, "list returned " + rendered + "; model: " + render(model), null);
            }
            return rendered;
        }

        private String loadAll(LoadAll step) throws Diverged {
            List<ServerId> ids = new ArrayList<>();
            for (int index : step.ids()) {
                ids.add(id(index));
            }
            return loadAllAndCheck(ids);
        }

        private String loadAllAndCheck(List<ServerId> ids) throws Diverged {
            Map<ServerId, StoredState> got;
            try {
                got = storage.loadAll(ids);
            } catch (RuntimeException e) {
                throw new Diverged("threw " + e, "loadAll threw " + e, e);
            }
            if (got == null || !got.keySet().equals(new HashSet<>(ids))) {
                String keys = got == null ? "null" : got.keySet().stream().map(this::label).toList().toString();
                throw new Diverged("entries for " + keys, "loadAll returned entries for " + keys
                        + "; model: one entry for each of " + ids.stream().map(this::label).toList(), null);
            }
            List<String> parts = new ArrayList<>();
            for (ServerId id : ids) {
                StoredState state = got.get(id);
                checkState(id, state, "loadAll", "loadAll " + label(id) + " ");
                parts.add(label(id) + "=" + render(state, base));
            }
            return parts.toString();
        }

        private void checkEverything() throws Diverged {
            List<ServerId> all = new ArrayList<>();
            for (int t = 0; t < TYPE_LABELS.length; t++) {
                for (int k = 0; k < KEYS.size(); k++) {
                    ServerId id = id(t, k);
                    all.add(id);
                    String shown = "load " + label(id) + " ";
                    checkState(id, loadOrDiverge(id, "load", shown), "load", shown);
                }
            }
            loadAllAndCheck(all);
            if (history) {
                for (ServerId id : all) {
                    checkHistory(id, "history", "history " + label(id) + " ");
                }
            }
            for (int t = 0; t < TYPE_LABELS.length; t++) {
                List<String> expectedKeys = liveKeys(t);
                List<String> listed = new ArrayList<>();
                KeyCursor after = null;
                for (int pages = 0; ; pages++) {
                    KeyPage page;
                    try {
                        page = storage.list(types[t], after, 2);
                    } catch (RuntimeException e) {
                        throw new Diverged("list threw " + e, "list threw " + e, e);
                    }
                    if (page == null || page.keys().size() > 2 || pages > expectedKeys.size()
                            || !page.skipped().isEmpty() || (page.hasMore() && (page.keys().isEmpty()
                                || !page.next().equals(KeyCursor.after(page.keys().get(page.keys().size() - 1)))))) {
                        throw new Diverged("list " + TYPE_LABELS[t] + " -> " + render(page),
                                "listing " + TYPE_LABELS[t] + " with limit 2 after " + text(after) + " returned "
                                        + render(page) + " after pages " + keysText(listed)
                                        + "; model: all keys " + keysText(expectedKeys), null);
                    }
                    listed.addAll(page.keys());
                    if (!page.hasMore()) {
                        break;
                    }
                    after = page.next();
                }
                if (!listed.equals(expectedKeys)) {
                    throw new Diverged("list " + TYPE_LABELS[t] + " -> " + keysText(listed),
                            "listing " + TYPE_LABELS[t] + " page by page (limit 2) gave " + keysText(listed)
                                    + "; model: " + keysText(expectedKeys), null);
                }
            }
            if (reminders) {
                due(new Due(REMIND_SLOTS + 1, 2, -1, 0));
            }
        }

        /** See the class comment: the due servers, their order and the cursor, against the model. */
        private String due(Due step) throws Diverged {
            long notAfter = base + step.notAfterSlot();
            List<DueServer> all = dueFrom(start(), notAfter, 100, "one page");
            Set<DueServer> want = new LinkedHashSet<>();
            for (int t = 0; t < TYPE_LABELS.length; t++) {
                for (int k = 0; k < KEYS.size(); k++) {
                    Expected e = expected(id(t, k));
                    if (e.reminders() != null && e.remindAt() <= notAfter) {
                        want.add(new DueServer(id(t, k), e.remindAt()));
                    }
                }
            }
            boolean ordered = true;
            for (int i = 1; i < all.size(); i++) {
                ordered &= all.get(i - 1).remindAtMillis() <= all.get(i).remindAtMillis();
            }
            if (all.size() != want.size() || !new HashSet<>(all).equals(want) || !ordered) {
                throw new Diverged(renderDue(all), "due by +" + step.notAfterSlot() + " (one page) returned "
                        + renderDue(all) + "; model: " + renderDue(new ArrayList<>(want))
                        + " in ascending due time, each once", null);
            }
            if (step.cursor() < 0) {
                List<DueServer> paged = dueFrom(start(), notAfter, step.limit(), "pages of " + step.limit());
                if (!paged.equals(all)) {
                    throw new Diverged(renderDue(paged), "due by +" + step.notAfterSlot() + " in pages of "
                            + step.limit() + " gave " + renderDue(paged) + "; one page gave " + renderDue(all)
                            + " (the order must be stable)", null);
                }
                return renderDue(paged);
            }
            List<DueServer> wantRest;
            DueCursor cursor;
            String from;
            if (step.cursor() % 2 == 0) {
                long instant = base + step.cursorSlot();
                cursor = DueCursor.startingAt(instant);
                wantRest = all.stream().filter(d -> d.remindAtMillis() >= instant).toList();
                from = "starting at +" + step.cursorSlot();
            } else {
                int cut = (step.cursor() / 2) % (all.size() + 1);
                from = "after the first " + cut;
                wantRest = all.subList(cut, all.size());
                if (cut == 0) {
                    cursor = start();
                } else {
                    DuePage first = duePage(notAfter, start(), cut, "a page of the first " + cut);
                    if (!first.servers().equals(all.subList(0, cut)) || first.hasMore() != cut < all.size()) {
                        throw new Diverged(renderDue(first.servers()), "due by +" + step.notAfterSlot()
                                + " in a page of " + cut + " gave " + renderDue(first.servers())
                                + (first.hasMore() ? " with" : " without") + " a cursor; all due in the store's order: "
                                + renderDue(all), null);
                    }
                    cursor = first.next();
                }
            }
            List<DueServer> rest = cursor == null ? List.of()
                    : dueFrom(cursor, notAfter, step.limit(), "pages of " + step.limit());
            if (!rest.equals(wantRest)) {
                throw new Diverged(renderDue(rest), "due by +" + step.notAfterSlot() + " " + from + " in pages of "
                        + step.limit() + " gave " + renderDue(rest) + "; all due in the store's order: "
                        + renderDue(all), null);
            }
            return renderDue(rest);
        }

        /** Just before this replay's instants, where no server of any replay is due. */
        private DueCursor start() {
            return DueCursor.startingAt(base);
        }

        private DuePage duePage(long notAfter, DueCursor cursor, int limit, String how) throws Diverged {
            DuePage page;
            try {
                page = storage.due(notAfter, cursor, limit);
            } catch (RuntimeException e) {
                throw new Diverged("threw " + e, "due threw " + e, e);
            }
            boolean ok = page != null && page.servers().size() <= limit && page.skipped().isEmpty();
            for (int i = 0; ok && i < page.servers().size(); i++) {
                ok = page.servers().get(i) != null && page.servers().get(i).remindAtMillis() <= notAfter;
            }
            if (!ok) {
                String got = page == null ? "null" : renderDue(page.servers()) + " skipped " + page.skipped();
                throw new Diverged(got, "due by +" + (notAfter - base) + " (" + how + ", limit " + limit
                        + ") returned the page " + got, null);
            }
            return page;
        }

        /**
         * Pages through {@code due} from {@code after}, checking each page's size and bound, and that a page has a
         * cursor exactly when more are due.
         */
        private List<DueServer> dueFrom(DueCursor after, long notAfter, int limit, String how) throws Diverged {
            List<DueServer> out = new ArrayList<>();
            DueCursor cursor = after;
            for (int pages = 0; ; pages++) {
                DuePage page = duePage(notAfter, cursor, limit, how);
                boolean ok = pages <= 2 * KEYS.size() * TYPE_LABELS.length
                        && (page.servers().size() == limit || !page.hasMore())
                        && (pages == 0 || !page.servers().isEmpty());
                if (!ok) {
                    throw new Diverged(renderDue(page.servers()), "due by +" + (notAfter - base) + " (" + how
                            + ", limit " + limit + ") returned the page " + renderDue(page.servers())
                            + (page.hasMore() ? " with" : " without") + " a cursor after " + renderDue(out)
                            + " (a page has a cursor exactly when more are due)", null);
                }
                out.addAll(page.servers());
                if (!page.hasMore()) {
                    return out;
                }
                cursor = page.next();
            }
        }

        private String renderDue(List<DueServer> due) {
            List<String> parts = new ArrayList<>(due.size());
            for (DueServer d : due) {
                long at = d.remindAtMillis() - base;
                parts.add(label(d.id()) + "@" + (Math.abs(at) <= 1_000 ? (at < 0 ? "" : "+") + at
                        : Long.toString(d.remindAtMillis())));
            }
            return parts.toString();
        }

        /**
         * @param what  the operation, for the divergence message
         * @param trace how the trace line shows the outcome before the returned state
         */
        private StoredState loadOrDiverge(ServerId id, String what, String trace) throws Diverged {
            try {
                return storage.load(id);
            } catch (RuntimeException e) {
                throw new Diverged(trace + "threw " + e, what + " of " + label(id) + " threw " + e, e);
            }
        }

        private void checkState(ServerId id, StoredState state, String what, String trace) throws Diverged {
            Expected want = expected(id);
            boolean ok = state != null
                    && state.version() == want.version()
                    && Arrays.equals(state.payload(), want.payload())
                    && state.schemaVersion() == want.schemaVersion()
                    && (want.version() == 0 ? state.updatedAtMillis() == 0 : state.updatedAtMillis() > 0)
                    && Arrays.equals(state.reminders(), want.reminders())
                    && state.remindAtMillis() == want.remindAt();
            if (!ok) {
                throw new Diverged(trace + "-> " + render(state, base), what + " of " + label(id) + " returned "
                        + render(state, base) + "; model: " + render(want, base)
                        + (want.version() == 0 ? " (updatedAt 0)" : " (updatedAt > 0)"), null);
            }
        }

        private List<String> liveKeys(int type) {
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < KEYS.size(); k++) {
                if (expected(id(type, k)).payload() != null) {
                    keys.add(KEYS.get(k));
                }
            }
            keys.sort(UTF8_ORDER);
            return keys;
        }

        private String describe(Step step) {
            return switch (step) {
                case Load l -> "load(" + label(id(l.type(), l.key())) + ")";
                case Save s -> {
                    ServerId id = id(s.type(), s.key());
                    long current = expected(id).version();
                    long v = Math.max(0, current + s.versionOffset());
                    yield "save(" + label(id) + ", expected " + v + " " + relation(v, current) + ", payload "
                            + hex(s.payload()) + ", schema " + s.schemaVersion()
                            + (history ? ", depth " + s.historyDepth() : "") + ")"
                            + (s.reminders() == null ? "" : " with reminders " + hex(s.reminders()) + " due +"
                            + s.remindSlot());
                }
                case Delete d -> {
                    ServerId id = id(d.type(), d.key());
                    long current = expected(id).version();
                    long v = Math.max(0, current + d.versionOffset());
                    yield "delete(" + label(id) + ", expected " + v + " " + relation(v, current) + ")";
                }
                case History h -> "history(" + label(id(h.type(), h.key())) + ")";
                case ListPage p -> "list(" + TYPE_LABELS[p.type()] + ", after " + quote(cursor(p.after()))
                        + ", limit " + p.limit() + ")";
                case Due d -> "due(by +" + d.notAfterSlot() + ", "
                        + (d.cursor() < 0 ? "from the start" : d.cursor() % 2 == 0 ? "starting at +" + d.cursorSlot()
                        : "after the first " + d.cursor() / 2 + " (mod due + 1)")
                        + ", limit " + d.limit() + ")";
                case LoadAll a -> {
                    List<String> ids = new ArrayList<>();
                    for (int index : a.ids()) {
                        ids.add(label(id(index)));
                    }
                    yield "loadAll(" + ids + ")";
                }
            };
        }

        private String label(ServerId id) {
            return (id.type().equals(types[0]) ? "A" : id.type().equals(types[1]) ? "B" : id.type())
                    + "/" + quote(id.key());
        }
    }

    private static String cursor(int after) {
        return after < 0 ? null : after == KEYS.size() ? NON_KEY_CURSOR : KEYS.get(after);
    }

    private static String prediction(long expectedVersion, long current) {
        return expectedVersion == current
                ? "returns " + (current + 1)
                : "VersionConflictException(expected " + expectedVersion + ", actual " + current + ")";
    }

    private static String relation(long expectedVersion, long current) {
        return expectedVersion == current ? "[current]" : expectedVersion < current ? "[stale]" : "[future]";
    }

    private static String conflict(VersionConflictException e) {
        return "VersionConflictException(expected " + e.expectedVersion() + ", actual " + e.actualVersion() + ")";
    }

    /** Shows reminders due relative to {@code base}, so that traces of one seed compare equal. */
    private static String render(StoredState state, long base) {
        if (state == null) {
            return "null";
        }
        if (state.reminders() != null || state.remindAtMillis() != 0) {
            return render(new StoredState(state.version(), state.payload(), state.schemaVersion(),
                    state.updatedAtMillis()), base) + remindersText(state.reminders(), state.remindAtMillis(), base);
        }
        String kind = state.payload() != null
                ? "v" + state.version() + " " + hex(state.payload()) + " schema " + state.schemaVersion()
                : state.version() == 0 ? "absent" : "tombstone v" + state.version();
        if (state.payload() == null && state.schemaVersion() != 0) {
            kind += " schema " + state.schemaVersion();
        }
        // The time is shown only when it breaks the contract, so that traces of one seed compare equal.
        boolean timeOk = state.version() == 0 ? state.updatedAtMillis() == 0 : state.updatedAtMillis() > 0;
        return timeOk ? kind : kind + " updatedAt " + state.updatedAtMillis();
    }

    private static String render(Expected want, long base) {
        return (want.payload() != null
                ? "v" + want.version() + " " + hex(want.payload()) + " schema " + want.schemaVersion()
                : want.version() == 0 ? "absent" : "tombstone v" + want.version())
                + remindersText(want.reminders(), want.remindAt(), base);
    }

    private static String remindersText(byte[] reminders, long remindAt, long base) {
        if (reminders == null && remindAt == 0) {
            return "";
        }
        long at = remindAt - base;
        return " reminders " + (reminders == null ? "null" : hex(reminders)) + " due "
                + (Math.abs(at) <= 1_000 ? (at < 0 ? "" : "+") + at : Long.toString(remindAt));
    }

    /**
     * The returned history; an entry's time is shown only when it differs from the model's entry at that place, so
     * that traces of one seed compare equal.
     */
    private static String renderHistory(List<StoredState> got, List<Expected> want) {
        if (got == null) {
            return "null";
        }
        List<String> parts = new ArrayList<>(got.size());
        for (int i = 0; i < got.size(); i++) {
            StoredState s = got.get(i);
            if (s == null) {
                parts.add("null");
                continue;
            }
            String kind = (s.payload() != null
                    ? "v" + s.version() + " " + hex(s.payload()) + " schema " + s.schemaVersion()
                    : "no payload v" + s.version())
                    + (s.reminders() == null && s.remindAtMillis() == 0 ? "" : " with reminders");
            boolean timeOk = i < want.size() && s.updatedAtMillis() == want.get(i).updatedAtMillis();
            parts.add(timeOk ? kind : kind + " updatedAt " + s.updatedAtMillis());
        }
        return parts.toString();
    }

    private static String renderExpectedHistory(List<Expected> want) {
        List<String> parts = new ArrayList<>(want.size());
        for (Expected e : want) {
            parts.add(render(e, 0) + " updatedAt " + e.updatedAtMillis());
        }
        return parts.toString();
    }

    private static String render(KeyPage page) {
        return page == null ? "null" : keysText(page.keys()) + " next " + text(page.next())
                + (page.skipped().isEmpty() ? "" : " skipped " + page.skipped());
    }

    private static String text(KeyCursor cursor) {
        return cursor == null ? "null" : cursor.text();
    }

    private static String keysText(List<String> keys) {
        return keys.stream().map(StorageModelRunner::quote).toList().toString();
    }

    private static String hex(byte[] bytes) {
        if (bytes.length == 0) {
            return "[]";
        }
        StringBuilder out = new StringBuilder("0x");
        for (byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return out.toString();
    }

    /** A Java string literal for {@code s}, with every character outside printable ASCII escaped. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.append('"').toString();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shrinking and reporting

    private StorageModelDivergence report(long sequenceSeed, int index, List<Step> sequence, Outcome first) {
        List<Step> best = failingPrefix(sequence, first);
        Outcome bestOutcome = first;
        int replays = 0;
        int chunk = Math.max(1, best.size() / 2);
        while (replays < MAX_SHRINK_REPLAYS) {
            boolean progress = false;
            int start = 0;
            while (start < best.size() && replays < MAX_SHRINK_REPLAYS) {
                List<Step> candidate = new ArrayList<>(best.subList(0, start));
                candidate.addAll(best.subList(Math.min(best.size(), start + chunk), best.size()));
                Outcome outcome = replay(candidate);
                replays++;
                if (outcome.diverged()) {
                    best = failingPrefix(candidate, outcome);
                    bestOutcome = outcome;
                    progress = true;
                } else {
                    start += chunk;
                }
            }
            if (!progress) {
                if (chunk == 1) {
                    break;
                }
                chunk = Math.max(1, chunk / 2);
            }
        }
        StringBuilder message = new StringBuilder()
                .append("The store diverged from the storage model in sequence ").append(index + 1).append(" of ")
                .append(sequences).append(" (run seed ").append(seed).append(").\n")
                .append("  divergence: ").append(bestOutcome.divergence()).append('\n')
                .append("  seed of the failing sequence: ").append(sequenceSeed).append('\n')
                .append("  reproduce with: -D").append(SEED_PROPERTY).append('=').append(sequenceSeed)
                .append(" -D").append(STEPS_PROPERTY).append('=').append(steps)
                .append(" -D").append(SEQUENCES_PROPERTY).append("=1\n")
                .append("  shrunk from ").append(sequence.size()).append(" to ").append(best.size())
                .append(" steps (A and B are fresh type names, B = A + \"_b\"):");
        for (String line : bestOutcome.trace()) {
            message.append("\n    ").append(line);
        }
        return new StorageModelDivergence(message.toString(), sequenceSeed, index, sequence.size(),
                bestOutcome.trace(), bestOutcome.divergence(), bestOutcome.cause());
    }

    private static List<Step> failingPrefix(List<Step> sequence, Outcome outcome) {
        return outcome.failedStep() < sequence.size()
                ? List.copyOf(sequence.subList(0, outcome.failedStep() + 1))
                : List.copyOf(sequence);
    }

    private static int intProperty(String name, int defaultValue) {
        String text = System.getProperty(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        long value = parseLong(name, text);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("system property " + name + " must be between 1 and "
                    + Integer.MAX_VALUE + ": " + text);
        }
        return (int) value;
    }

    private static long parseLong(String name, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + name + " is not a number: " + text, e);
        }
    }
}
