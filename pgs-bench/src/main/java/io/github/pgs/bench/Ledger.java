package io.github.pgs.bench;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.TypeName;

import java.util.ArrayList;
import java.util.List;

import static io.github.pgs.Results.reply;

/**
 * The big-state benchmark entity (S6): a ledger whose state is a list of records, sized to about
 * {@code entries × 70} bytes of JSON. {@link Touch} adds one to one field ({@code amount}) of one entry and replies
 * the new amount, so each call changes one field of a state that is otherwise unchanged, as a game's player
 * record or a shopping cart does. A fresh ledger's amounts are all 0, so the sum of all stored amounts equals the
 * number of acknowledged touches.
 *
 * <p>The number of entries comes from the key's type options: one ledger type per entry count is registered
 * under the type name {@value #TYPE}, and {@link #entriesFor(int)} gives the entry count of a target size.
 */
@TypeName(Ledger.TYPE)
public final class Ledger implements GenServer<String, Ledger.State> {

    /** The type name under which ledgers are stored. */
    public static final String TYPE = "Ledger";

    /** Bytes of JSON one entry takes, near enough to size a state ({@link #entriesFor}). */
    static final int ENTRY_BYTES = 70;

    /** One record of the ledger; {@code label} is fixed, {@code amount} is what calls change. */
    public record Entry(long id, String label, long amount, long limit) {
    }

    /** The persisted state. */
    public record State(List<Entry> entries) {

        /** The sum of the amounts. */
        public long total() {
            long t = 0;
            for (Entry e : entries) {
                t += e.amount();
            }
            return t;
        }
    }

    /** Adds one to the amount of entry {@code index mod entries}; replies the new amount. */
    public record Touch(int index) implements Call<Long> {
    }

    private final int entries;

    /** A ledger type with {@code entries} entries per state. */
    public Ledger(int entries) {
        if (entries < 1) {
            throw new IllegalArgumentException("entries must be >= 1");
        }
        this.entries = entries;
    }

    /** The entry count whose encoded state is about {@code bytes} long. */
    public static int entriesFor(int bytes) {
        return Math.max(1, Math.round(bytes / (float) ENTRY_BYTES));
    }

    /** The state a fresh ledger of {@code entries} entries starts with under {@code key}: every amount 0. */
    public static State initialState(int entries, String key) {
        List<Entry> list = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            list.add(new Entry(i, "entry-%06d-%s".formatted(i, key), 0, 1_000_000L + i));
        }
        return new State(List.copyOf(list));
    }

    @Override
    public Init<State> init(String key) {
        return Init.ok(initialState(entries, key));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        if (!(request instanceof Touch t)) {
            throw new IllegalArgumentException("unknown request " + request);
        }
        int i = Math.floorMod(t.index(), s.entries().size());
        Entry old = s.entries().get(i);
        Entry changed = new Entry(old.id(), old.label(), old.amount() + 1, old.limit());
        List<Entry> next = new ArrayList<>(s.entries());
        next.set(i, changed);
        return reply(t, changed.amount(), new State(List.copyOf(next)));
    }
}
