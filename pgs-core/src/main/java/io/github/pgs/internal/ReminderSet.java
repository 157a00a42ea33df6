package io.github.pgs.internal;

import io.github.pgs.MissedTicks;
import io.github.pgs.Reminder;
import io.github.pgs.spi.RuntimeObserver;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The durable reminders of one server and their stored form, written with the state in the same commit.
 *
 * <p>Binary form (big-endian): a format byte ({@value #FORMAT}), the count as an {@code int}, then per reminder,
 * in name order: the name as an {@code unsigned short} length and UTF-8 bytes, the due time in epoch millis
 * ({@code long}), the period in millis ({@code long}, 0 for one-shot) and the missed-tick policy ({@code byte}:
 * 0 fire once, 1 skip). Format {@value #FORMAT_WITH_ORIGIN} adds to each reminder where it was set, for the
 * runtime's observer (a trace context as text headers): a header count ({@code unsigned byte}, at most
 * {@link RuntimeObserver#MAX_HEADERS}) and per header its name and value, each an {@code unsigned short} length
 * and UTF-8 bytes (name and value together at most {@link RuntimeObserver#MAX_HEADER_CHARS} characters). A set
 * without origins is written in the first format, so runtimes without an observer store what they always did.
 * Nothing in it names a class; anything else is refused as corrupt.
 */
final class ReminderSet {

    /** The most reminders one server may hold. */
    public static final int MAX_REMINDERS = 1_000;
    /** The longest reminder name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    private static final byte FORMAT = 1;
    private static final byte FORMAT_WITH_ORIGIN = 2;

    /**
     * One reminder; {@code periodMillis == 0} for one-shot; {@code origin}: the observer's headers of where it was
     * set, or {@code null}.
     */
    record Entry(String name, long dueMillis, long periodMillis, MissedTicks missed, Map<String, String> origin) {
        Reminder toReminder() {
            return new Reminder(name, Instant.ofEpochMilli(dueMillis),
                    periodMillis == 0 ? null : Duration.ofMillis(periodMillis), missed);
        }
    }

    /**
     * What one due reminder comes to: deliver it (or not) for the tick due at {@code dueMillis}; {@code origin} as in
     * {@link Entry}.
     */
    record Tick(String name, long dueMillis, boolean deliver, Map<String, String> origin) {
    }

    private static final SortedMap<String, Entry> NONE = Collections.emptySortedMap();
    /** By name; {@code null} until the first reminder (most servers never have one: this saves 48 bytes each). */
    private TreeMap<String, Entry> byName;

    ReminderSet() {
    }

    private SortedMap<String, Entry> entries() {
        return byName != null ? byName : NONE;
    }

    private TreeMap<String, Entry> map() {
        if (byName == null) {
            byName = new TreeMap<>();
        }
        return byName;
    }

    /** Decodes a stored set; {@code null} or absent means empty. */
    static ReminderSet decode(byte[] bytes) {
        ReminderSet set = new ReminderSet();
        if (bytes == null) {
            return set;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT && format != FORMAT_WITH_ORIGIN) {
                throw new IllegalArgumentException("unknown reminder format " + format);
            }
            int count = in.readInt();
            if (count < 0 || count > MAX_REMINDERS) {
                throw new IllegalArgumentException("reminder count out of range: " + count);
            }
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[in.readUnsignedShort()];
                in.readFully(name);
                long due = in.readLong();
                long period = in.readLong();
                int missed = in.readUnsignedByte();
                if (due <= 0 || period < 0 || missed >= MissedTicks.values().length) {
                    throw new IllegalArgumentException("corrupt reminder entry " + i);
                }
                Map<String, String> origin = format == FORMAT_WITH_ORIGIN ? readOrigin(in, i) : null;
                String n = new String(name, StandardCharsets.UTF_8);
                set.map().put(n, new Entry(n, due, period, MissedTicks.values()[missed], origin));
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("trailing bytes after " + count + " reminders");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated reminder set", e);
        }
        return set;
    }

    private static Map<String, String> readOrigin(DataInputStream in, int entry) throws IOException {
        int count = in.readUnsignedByte();
        if (count > RuntimeObserver.MAX_HEADERS) {
            throw new IllegalArgumentException("corrupt reminder entry " + entry + ": " + count + " origin headers");
        }
        if (count == 0) {
            return null;
        }
        Map<String, String> origin = new LinkedHashMap<>(count * 2);
        for (int h = 0; h < count; h++) {
            String name = readUtf8(in);
            String value = readUtf8(in);
            if (!TraceHeaders.fits(name, value) || origin.put(name, value) != null) {
                throw new IllegalArgumentException("corrupt reminder entry " + entry + ": bad origin header");
            }
        }
        return Map.copyOf(origin);
    }

    private static String readUtf8(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        if (length > RuntimeObserver.MAX_HEADER_CHARS * 3) {
            throw new IllegalArgumentException("origin header too long: " + length + " bytes");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeUtf8(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    /**
     * The reminders in a stored set, earliest due first, for inspection.
     *
     * @throws IllegalArgumentException if the bytes are not a reminder set
     */
    public static java.util.List<Reminder> describe(byte[] bytes) {
        return decode(bytes).entries().values().stream()
                .sorted(java.util.Comparator.comparingLong(Entry::dueMillis).thenComparing(Entry::name))
                .map(Entry::toReminder).toList();
    }

    /** The stored form, or {@code null} when empty. */
    byte[] encode() {
        if (entries().isEmpty()) {
            return null;
        }
        boolean origins = false;
        for (Entry e : entries().values()) {
            origins |= e.origin != null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 32 * entries().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(origins ? FORMAT_WITH_ORIGIN : FORMAT);
            out.writeInt(entries().size());
            for (Entry e : entries().values()) {
                byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeLong(e.dueMillis);
                out.writeLong(e.periodMillis);
                out.writeByte(e.missed.ordinal());
                if (origins) {
                    Map<String, String> origin = e.origin == null ? Map.of() : new TreeMap<>(e.origin); // stable bytes
                    out.writeByte(origin.size());
                    for (Map.Entry<String, String> h : origin.entrySet()) {
                        writeUtf8(out, h.getKey());
                        writeUtf8(out, h.getValue());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    boolean isEmpty() {
        return entries().isEmpty();
    }

    /** The earliest due time, or 0 when empty. */
    long nextDueMillis() {
        long min = 0;
        for (Entry e : entries().values()) {
            if (min == 0 || e.dueMillis < min) {
                min = e.dueMillis;
            }
        }
        return min;
    }

    /**
     * Schedules (or replaces) a reminder.
     *
     * @throws IllegalArgumentException for an empty or too long name, a non-positive due time, or one reminder too
     *                                  many
     */
    void put(String name, long dueMillis, long periodMillis, MissedTicks missed) {
        put(name, dueMillis, periodMillis, missed, null);
    }

    /** As {@link #put(String, long, long, MissedTicks)}, remembering {@code origin} (bounded headers, or null). */
    void put(String name, long dueMillis, long periodMillis, MissedTicks missed, Map<String, String> origin) {
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (name.isEmpty() || nameBytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a reminder name must have 1 to " + MAX_NAME_BYTES
                    + " UTF-8 bytes: " + nameBytes);
        }
        if (dueMillis <= 0) {
            throw new IllegalArgumentException("a reminder must be due after the epoch: " + dueMillis);
        }
        if (!entries().containsKey(name) && entries().size() >= MAX_REMINDERS) {
            throw new IllegalArgumentException("a server holds at most " + MAX_REMINDERS + " reminders");
        }
        map().put(name, new Entry(name, dueMillis, periodMillis, missed, origin));
    }

    boolean remove(String name) {
        return byName != null && byName.remove(name) != null;
    }

    /** The reminders by name, as the API shows them. */
    Map<String, Reminder> view() {
        Map<String, Reminder> out = new LinkedHashMap<>();
        entries().values().forEach(e -> out.put(e.name, e.toReminder()));
        return out;
    }

    /**
     * Takes the oldest reminder due at {@code nowMillis} (ties by name) and moves it on: a one-shot reminder is
     * removed, a periodic one moves to its first tick after now. A tick more than {@code graceMillis} late is
     * missed: delivered once for {@link MissedTicks#FIRE_ONCE}, not at all for {@link MissedTicks#SKIP}.
     *
     * @return the tick, or {@code null} if nothing is due
     */
    Tick takeNextDue(long nowMillis, long graceMillis) {
        Entry oldest = null;
        for (Entry e : entries().values()) {
            if (e.dueMillis <= nowMillis && (oldest == null || e.dueMillis < oldest.dueMillis)) {
                oldest = e;
            }
        }
        if (oldest == null) {
            return null;
        }
        boolean missed = nowMillis - oldest.dueMillis > graceMillis;
        if (oldest.periodMillis == 0) {
            byName.remove(oldest.name);
        } else {
            long ticks = (nowMillis - oldest.dueMillis) / oldest.periodMillis + 1;
            long next;
            try {
                next = Math.addExact(oldest.dueMillis, Math.multiplyExact(ticks, oldest.periodMillis));
            } catch (ArithmeticException beyondTime) {
                next = 0;
            }
            if (next > 0) {
                byName.put(oldest.name, new Entry(oldest.name, next, oldest.periodMillis, oldest.missed,
                        oldest.origin));
            } else {
                byName.remove(oldest.name);
            }
        }
        return new Tick(oldest.name, oldest.dueMillis, !missed || oldest.missed == MissedTicks.FIRE_ONCE,
                oldest.origin);
    }
}
