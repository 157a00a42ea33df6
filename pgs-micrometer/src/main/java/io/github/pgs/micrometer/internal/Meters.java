package io.github.pgs.micrometer.internal;

import io.github.pgs.StopReason;
import io.github.pgs.spi.RuntimeObserver.ActivationKind;
import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.PetrifyCause;
import io.github.pgs.spi.RuntimeObserver.StoreOp;
import io.github.pgs.spi.RuntimeObserver.StoreOutcome;
import io.github.pgs.spi.RuntimeObserver.TurnOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.pgs.micrometer.PgsInstruments.*;

/**
 * The meters of one {@link MeterRegistry}, resolved once and cached, so that recording an event costs a map
 * lookup or two and an add, never a registry lookup.
 *
 * <h2>Algorithm</h2>
 * Meters hang off a {@link TypeMeters} per server type (found by name in a concurrent map) and, for messages, a
 * {@link MessageMeters} per message class below it. The common outcome of each timer (success) sits in a field
 * once resolved; rarer outcomes (failures by class) go through a small concurrent map keyed by a
 * {@link TimerKey}. Gauges read {@link AtomicLong}s that are shared per registry (a static weak map), so that two
 * observers on one registry add up instead of the second one's gauge silently losing to the first's.
 *
 * <h2>Hazards</h2>
 * Races to resolve a meter are harmless: Micrometer returns the same meter for the same id. Tag values come only
 * from type names, class names, enums and store labels, never from keys, so cardinality is bounded by code.
 */
public final class Meters {

    private static final Map<MeterRegistry, Map<String, AtomicLong>> GAUGES = new WeakHashMap<>();

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, TypeMeters> types = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StoreMeters> stores = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The simple name of a class as a tag value: nested records by their own name, anonymous ones by binary name. */
    private static final ClassValue<String> SIMPLE = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> c) {
            String s = c.getSimpleName();
            if (!s.isEmpty()) {
                return s;
            }
            String n = c.getName();
            return n.substring(n.lastIndexOf('.') + 1);
        }
    };

    public static String simpleName(Class<?> c) {
        return c == null ? "none" : SIMPLE.get(c);
    }

    /** Micrometer's value of the {@code error} tag. */
    public static String error(Throwable t) {
        return t == null ? "none" : SIMPLE.get(t.getClass());
    }

    public static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    public TypeMeters type(String type) {
        TypeMeters t = types.get(type);
        return t != null ? t : types.computeIfAbsent(type, TypeMeters::new);
    }

    private AtomicLong sharedGauge(String name, String type) {
        synchronized (GAUGES) {
            Map<String, AtomicLong> values = GAUGES.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
            String key = name + '\u0000' + type;
            AtomicLong value = values.get(key);
            if (value == null) {
                AtomicLong fresh = new AtomicLong();
                Gauge.builder(name, fresh, AtomicLong::get).tag(TYPE, type)
                        .strongReference(true).register(registry);
                values.put(key, fresh); // only once registered: a registry that refuses it is asked again
                value = fresh;
            }
            return value;
        }
    }

    /** Key of a timer or summary with the given tag values (null where a tag does not apply). */
    record TimerKey(Object a, Object b, Object c, Object d) {
    }

    /** Meters of one server type. */
    public final class TypeMeters {
        final String type;
        final AtomicLong active;
        final AtomicLong quarantined;
        private final Counter init;
        private final Counter revival;
        private final Map<PetrifyCause, Counter> petrified = new EnumMap<>(PetrifyCause.class);
        private final Map<StopReason.Kind, Counter> stops = new EnumMap<>(StopReason.Kind.class);
        private final ConcurrentHashMap<Class<?>, Counter> crashes = new ConcurrentHashMap<>();
        private final Counter quarantines;
        private final Counter releases;
        private final Counter recovered;
        private final DistributionSummary mailbox;
        private final Counter delivered;
        private final Counter skipped;
        private final Timer lateness;
        private final ConcurrentHashMap<Class<?>, MessageMeters> messages = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<String, StoreOfType> stores = new ConcurrentHashMap<>();

        TypeMeters(String type) {
            this.type = type;
            this.active = sharedGauge(SERVERS_ACTIVE, type);
            this.quarantined = sharedGauge(SERVERS_QUARANTINED, type);
            this.init = Counter.builder(ACTIVATIONS).tags(TYPE, type, KIND, "init")
                    .register(registry);
            this.revival = Counter.builder(ACTIVATIONS).tags(TYPE, type, KIND, "revival")
                    .register(registry);
            for (PetrifyCause c : PetrifyCause.values()) {
                petrified.put(c, Counter.builder(PETRIFICATIONS).tags(TYPE, type, CAUSE, lower(c))
                        .register(registry));
            }
            for (StopReason.Kind k : StopReason.Kind.values()) {
                stops.put(k, Counter.builder(STOPS).tags(TYPE, type, REASON, lower(k))
                        .register(registry));
            }
            this.quarantines = Counter.builder(QUARANTINES).tag(TYPE, type).register(registry);
            this.releases = Counter.builder(RELEASES).tag(TYPE, type).register(registry);
            this.recovered = Counter.builder(RECOVERED).tag(TYPE, type).register(registry);
            this.mailbox = DistributionSummary.builder(MAILBOX_DEPTH).tag(TYPE, type)
                    .register(registry);
            this.delivered = Counter.builder(REMINDERS_FIRED).tags(TYPE, type, OUTCOME, "delivered")
                    .register(registry);
            this.skipped = Counter.builder(REMINDERS_FIRED).tags(TYPE, type, OUTCOME, "skipped")
                    .register(registry);
            this.lateness = Timer.builder(REMINDER_LATENESS).tag(TYPE, type).register(registry);
        }

        public void activated(ActivationKind kind) {
            (kind == ActivationKind.INIT ? init : revival).increment();
            active.incrementAndGet();
        }

        public void deactivated() {
            active.decrementAndGet();
        }

        public void petrified(PetrifyCause cause) {
            petrified.get(cause).increment();
        }

        public void stopped(StopReason reason) {
            stops.get(reason.kind()).increment();
        }

        public void crashed(Throwable cause) {
            Class<?> c = cause == null ? Throwable.class : cause.getClass();
            Counter counter = crashes.get(c);
            if (counter == null) {
                counter = crashes.computeIfAbsent(c, k -> Counter.builder(CRASHES)
                        .tags(TYPE, type, EXCEPTION, simpleName(k)).register(registry));
            }
            counter.increment();
        }

        public void quarantined() {
            quarantines.increment();
            quarantined.incrementAndGet();
        }

        public void released() {
            releases.increment();
            quarantined.decrementAndGet();
        }

        public void recovered() {
            recovered.increment();
        }

        public void mailbox(int waiting) {
            mailbox.record(waiting);
        }

        public void reminderFired(long latenessMillis, boolean wasDelivered) {
            (wasDelivered ? delivered : skipped).increment();
            lateness.record(Math.max(0, latenessMillis), TimeUnit.MILLISECONDS);
        }

        public StoreOfType store(String store) {
            StoreOfType s = stores.get(store);
            return s != null ? s : stores.computeIfAbsent(store, k -> new StoreOfType(type, k));
        }

        public MessageMeters message(Class<?> message) {
            Class<?> key = message == null ? Void.class : message;
            MessageMeters m = messages.get(key);
            return m != null ? m : messages.computeIfAbsent(key, k -> new MessageMeters(this, simpleName(message)));
        }
    }

    /** Names of enum constants as tag values, computed once. */
    private static final class Names {
        static final String[] KIND = names(Kind.values());
        static final String[] TURN = names(TurnOutcome.values());
        static final String[] OP = names(StoreOp.values());
        static final String[] STORE_OUTCOME = names(StoreOutcome.values());

        private static String[] names(Enum<?>[] values) {
            String[] out = new String[values.length];
            for (Enum<?> v : values) {
                out[v.ordinal()] = lower(v);
            }
            return out;
        }
    }

    /** Timers of one message class of one type. */
    public final class MessageMeters {
        private final TypeMeters type;
        private final String message;
        private final Timer[] sendOk = new Timer[Kind.values().length];
        private final Timer[][] handleNoFailure = new Timer[Kind.values().length][TurnOutcome.values().length];
        private final ConcurrentHashMap<TimerKey, Timer> failed = new ConcurrentHashMap<>();

        MessageMeters(TypeMeters type, String message) {
            this.type = type;
            this.message = message;
        }

        /** Records a send the caller saw end after {@code nanos}. */
        public void sent(Kind kind, long nanos, Throwable failure) {
            Timer t;
            if (failure == null) {
                t = sendOk[kind.ordinal()];
                if (t == null) {
                    t = sendTimer(kind, "ok", null);
                    sendOk[kind.ordinal()] = t; // a benign race: every writer stores the same meter
                }
            } else {
                Class<?> f = failure.getClass();
                t = failed.get(new TimerKey("send", kind, f, null));
                if (t == null) {
                    t = failed.computeIfAbsent(new TimerKey("send", kind, f, null),
                            k -> sendTimer(kind, sendOutcome(failure), f));
                }
            }
            t.record(nanos, TimeUnit.NANOSECONDS);
        }

        private Timer sendTimer(Kind kind, String outcome, Class<?> failure) {
            Tags tags = Tags.of(TYPE, type.type, MESSAGE, message, OUTCOME, outcome,
                    ERROR, failure == null ? "none" : simpleName(failure));
            return kind == Kind.CALL ? Timer.builder(CALL).tags(tags).register(registry)
                    : Timer.builder(CAST).tags(tags).tag(KIND, Names.KIND[kind.ordinal()]).register(registry);
        }

        /** Records a turn that took {@code nanos}. */
        public void handled(Kind kind, TurnOutcome outcome, long nanos, Throwable failure) {
            Timer t;
            if (failure == null) {
                t = handleNoFailure[kind.ordinal()][outcome.ordinal()];
                if (t == null) {
                    t = handleTimer(kind, outcome, null);
                    handleNoFailure[kind.ordinal()][outcome.ordinal()] = t;
                }
            } else {
                Class<?> f = failure.getClass();
                t = failed.get(new TimerKey("handle", kind, outcome, f));
                if (t == null) {
                    t = failed.computeIfAbsent(new TimerKey("handle", kind, outcome, f),
                            k -> handleTimer(kind, outcome, f));
                }
            }
            t.record(nanos, TimeUnit.NANOSECONDS);
        }

        private Timer handleTimer(Kind kind, TurnOutcome outcome, Class<?> failure) {
            return Timer.builder(HANDLE).tags(TYPE, type.type, MESSAGE, message, KIND, Names.KIND[kind.ordinal()],
                    OUTCOME, Names.TURN[outcome.ordinal()], ERROR, failure == null ? "none" : simpleName(failure))
                    .register(registry);
        }
    }

    /** The outcome tag of a send: {@code ok}, {@code timeout} (calls) or {@code error}. */
    public static String sendOutcome(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        return failure instanceof io.github.pgs.CallTimeoutException ? "timeout" : "error";
    }

    /** The outcome tag of a turn. */
    public static String turnOutcome(TurnOutcome outcome) {
        return Names.TURN[outcome.ordinal()];
    }

    /** The tag value of a kind. */
    public static String kind(Kind kind) {
        return Names.KIND[kind.ordinal()];
    }

    /** The tag value of a store operation. */
    public static String op(StoreOp op) {
        return Names.OP[op.ordinal()];
    }

    /** The outcome tag of a store operation. */
    public static String storeOutcome(StoreOutcome outcome) {
        return Names.STORE_OUTCOME[outcome.ordinal()];
    }

    /** Store meters of one type on one store. */
    public final class StoreOfType {
        private final String type;
        private final String store;
        private final Timer[][] noFailure = new Timer[StoreOp.values().length][StoreOutcome.values().length];
        private final DistributionSummary[] bytes = new DistributionSummary[StoreOp.values().length];
        private final ConcurrentHashMap<TimerKey, Timer> failed = new ConcurrentHashMap<>();

        StoreOfType(String type, String store) {
            this.type = type;
            this.store = store;
        }

        /** Records one store operation of the runtime (timer and, if recorded, size). */
        public void record(StoreOp op, StoreOutcome outcome, long nanos, int size, Throwable failure) {
            Timer t;
            if (failure == null) {
                t = noFailure[op.ordinal()][outcome.ordinal()];
                if (t == null) {
                    t = timer(op, outcome, null);
                    noFailure[op.ordinal()][outcome.ordinal()] = t;
                }
            } else {
                Class<?> f = failure.getClass();
                t = failed.get(new TimerKey(op, outcome, f, null));
                if (t == null) {
                    t = failed.computeIfAbsent(new TimerKey(op, outcome, f, null), k -> timer(op, outcome, f));
                }
            }
            t.record(nanos, TimeUnit.NANOSECONDS);
            bytes(op, size);
        }

        /** Records the size of a state read or written ({@code size <= 0}: nothing). */
        public void bytes(StoreOp op, int size) {
            if (size > 0) {
                DistributionSummary s = bytes[op.ordinal()];
                if (s == null) {
                    s = DistributionSummary.builder(STORE_BYTES).tags(TYPE, type, STORE_TAG, store,
                            OPERATION, Names.OP[op.ordinal()]).baseUnit("bytes").register(registry);
                    bytes[op.ordinal()] = s;
                }
                s.record(size);
            }
        }

        private Timer timer(StoreOp op, StoreOutcome outcome, Class<?> failure) {
            return Timer.builder(STORE).tags(TYPE, type, STORE_TAG, store, OPERATION, Names.OP[op.ordinal()],
                    OUTCOME, Names.STORE_OUTCOME[outcome.ordinal()],
                    ERROR, failure == null ? "none" : simpleName(failure)).register(registry);
        }
    }

    /** Meters of one store's group commit. */
    private final class StoreMeters {
        final Timer ok;
        final DistributionSummary size;
        final String store;

        StoreMeters(String store) {
            this.store = store;
            this.ok = Timer.builder(STORE_BATCH).tags(STORE_TAG, store, OUTCOME, "ok", ERROR, "none")
                    .register(registry);
            this.size = DistributionSummary.builder(STORE_BATCH_SIZE).tag(STORE_TAG, store)
                    .register(registry);
        }
    }

    /** Records one group-commit batch. */
    public void batch(String store, int entries, long nanos, Throwable failure) {
        StoreMeters m = stores.get(store);
        if (m == null) {
            m = stores.computeIfAbsent(store, StoreMeters::new);
        }
        m.size.record(entries);
        Timer t = failure == null ? m.ok : Timer.builder(STORE_BATCH)
                .tags(STORE_TAG, store, OUTCOME, "error", ERROR, error(failure)).register(registry);
        t.record(nanos, TimeUnit.NANOSECONDS);
    }
}
