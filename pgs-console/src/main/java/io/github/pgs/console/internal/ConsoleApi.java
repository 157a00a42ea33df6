package io.github.pgs.console.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.GenServerException;
import io.github.pgs.Reminder;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StorageException;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.Deletion;
import io.github.pgs.admin.NotStoredException;
import io.github.pgs.admin.QuarantineEntry;
import io.github.pgs.admin.QuarantinePage;
import io.github.pgs.admin.ServerEntry;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.ServerPage;
import io.github.pgs.admin.StoredVersion;
import io.github.pgs.admin.StoredVersionState;
import io.github.pgs.console.ConsoleRequest;
import io.github.pgs.console.ConsoleResponse;
import io.github.pgs.console.TypeCounts;
import io.github.pgs.spi.KeyCursor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The console's JSON API: reads under {@code GET /api/...}, actions under {@code POST /api/action}. Every answer
 * is built with {@link Json}, so stored text travels as JSON strings only.
 *
 * <p>Algorithm: each endpoint parses and checks its parameters (a malformed one is a 400 answer naming it), calls
 * the {@link Admin} (and through it the runtime, when there is one) and writes the result. Typed failures map to
 * statuses: nothing stored 404, a lost compare-and-set 409, an unknown type or a refused argument 400, a store
 * failure 503. Hazards: a key prefix search walks keys in UTF-8 byte order, in which all keys with a given prefix
 * are contiguous, so it stops at the first key past the prefix instead of scanning the type; the overview's counts
 * by status read states page by page up to a limit, and beyond it report the stored count alone, marked partial.
 */
public final class ConsoleApi {

    /** Servers per search page unless asked otherwise, and the most a page may hold. */
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 500;
    /** The most quarantines the console lists at once, and the page it reads them in. */
    static final int MAX_QUARANTINED = 200;
    private static final int QUARANTINE_PAGE = 500;

    private final Admin admin;
    private final boolean readOnly;
    private final Supplier<List<String>> types;
    private final String title;
    private final int countLimit;

    public ConsoleApi(Admin admin, boolean readOnly, Supplier<List<String>> types, String title, int countLimit) {
        this.admin = admin;
        this.readOnly = readOnly;
        this.types = types;
        this.title = title;
        this.countLimit = countLimit;
    }

    public ConsoleResponse handle(ConsoleRequest r) {
        try {
            if (r.method().equals("POST")) {
                return r.path().equals("/api/action") ? action(r) : Guard.error(404, "no such action endpoint");
            }
            return switch (r.path()) {
                case "/api/overview" -> overview();
                case "/api/stats" -> stats();
                case "/api/servers" -> servers(r);
                case "/api/server" -> server(r);
                case "/api/version" -> version(r);
                case "/api/quarantined" -> quarantined();
                default -> Guard.error(404, "no such endpoint");
            };
        } catch (BadParameter e) {
            return Guard.error(400, e.getMessage());
        } catch (NotStoredException e) {
            return Guard.error(404, e.getMessage());
        } catch (VersionConflictException e) {
            return Guard.error(409, e.getMessage() + "; reload and try again");
        } catch (UnknownServerTypeException | IllegalArgumentException | UnsupportedOperationException e) {
            return Guard.error(400, e.getMessage());
        } catch (CallTimeoutException e) {
            return Guard.error(504, e.getMessage());
        } catch (StorageException e) {
            return Guard.error(503, e.getMessage());
        } catch (GenServerException e) {
            return Guard.error(500, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- reads

    private ConsoleResponse overview() {
        ServerRuntime runtime = admin.runtime();
        Json j = new Json().beginObject()
                .field("title", title)
                .field("store", admin.storage().getClass().getSimpleName())
                .field("readOnly", readOnly)
                .field("runtime", runtime == null ? null : runtime.name());
        if (runtime != null) {
            j.field("active", runtime.activeCount());
        }
        j.name("actions").beginArray();
        if (!readOnly) {
            for (String a : actions()) {
                j.value(a);
            }
        }
        j.endArray();
        j.name("types").beginArray();
        for (String type : types.get()) {
            typeCounts(j, type);
        }
        j.endArray();
        return Guard.json(200, j.endObject().toString());
    }

    private List<String> actions() {
        return admin.runtime() == null ? List.of("release", "rollback", "reset", "delete")
                : List.of("release", "petrify", "rollback", "reset", "delete");
    }

    private void typeCounts(Json j, String type) {
        TypeCounts c = TypeCounts.of(admin, type, countLimit);
        j.beginObject().field("name", type).field("stored", c.stored()).field("partial", c.partial());
        if (c.byStatus()) {
            j.field("active", c.active()).field("petrified", c.petrified()).field("quarantined", c.quarantined());
        }
        j.endObject();
    }

    private ConsoleResponse stats() {
        ServerRuntime runtime = admin.runtime();
        if (runtime == null) {
            return Guard.error(404, "no runtime: activity is shown when the console runs inside an application");
        }
        Json j = new Json().beginObject().field("at", System.currentTimeMillis());
        counters(j, runtime.stats());
        j.name("types").beginObject();
        for (ServerType<?, ?> t : runtime.types()) {
            j.name(t.name()).beginObject();
            counters(j, runtime.stats(t.name()));
            j.endObject();
        }
        j.endObject();
        return Guard.json(200, j.endObject().toString());
    }

    private static void counters(Json j, RuntimeStats s) {
        j.field("active", s.active())
                .field("calls", s.calls())
                .field("casts", s.casts())
                .field("activations", s.activations())
                .field("revivals", s.revivals())
                .field("petrifications", s.petrifications())
                .field("crashes", s.crashes())
                .field("quarantines", s.quarantines())
                .field("writes", s.writes())
                .field("writeFailures", s.writeFailures());
    }

    private ConsoleResponse servers(ConsoleRequest r) {
        String type = type(r.param("type"));
        String prefix = r.param("prefix") == null ? "" : r.param("prefix");
        int limit = r.param("limit") == null ? DEFAULT_PAGE : (int) number(r, "limit", 1, MAX_PAGE);
        // the cursor travels as KeyCursor.text(): the key's exact bytes, percent-encoded
        KeyCursor after = r.param("after") == null ? null : cursor(r.param("after"));
        List<ServerEntry> found = new ArrayList<>();
        String next;
        if (after == null && !prefix.isEmpty()) {
            // keys after the prefix start with it first; the prefix itself may be a key too
            try {
                ServerInfo exact = admin.inspect(new ServerId(type, prefix));
                found.add(new ServerEntry(exact.id(), exact.version(), exact.schemaVersion(), exact.updatedAt(),
                        exact.payloadBytes(), exact.status()));
            } catch (NotStoredException absent) {
                // no server has exactly the prefix as its key
            }
            after = KeyCursor.after(prefix);
        }
        boolean done = false;
        int skipped = 0;
        do {
            ServerPage page = admin.list(type, after, limit);
            skipped += page.skipped().size();
            for (ServerEntry e : page.entries()) {
                if (!e.key().startsWith(prefix)) {
                    done = true;
                    break;
                }
                found.add(e);
            }
            after = page.next();
            next = done || after == null ? null : after.text();
        } while (!done && after != null && found.size() < limit);
        if (found.size() > limit) {
            next = KeyCursor.after(found.get(limit - 1).key()).text();
            found = found.subList(0, limit);
        }
        Json j = new Json().beginObject().field("type", type).field("prefix", prefix).field("skipped", skipped);
        j.name("entries").beginArray();
        for (ServerEntry e : found) {
            j.beginObject()
                    .field("id", e.id().toString())
                    .field("key", e.key())
                    .field("version", e.version())
                    .field("schemaVersion", e.schemaVersion())
                    .field("updatedAt", e.updatedAt())
                    .field("bytes", e.payloadBytes())
                    .field("status", e.status().label())
                    .endObject();
        }
        j.endArray().field("nextAfter", next);
        return Guard.json(200, j.endObject().toString());
    }

    private ConsoleResponse server(ConsoleRequest r) {
        ServerInfo info = admin.inspect(id(r.param("id")));
        Json j = new Json().beginObject()
                .field("id", info.id().toString())
                .field("type", info.id().type())
                .field("key", info.id().key())
                .field("status", info.status().label())
                .field("version", info.version())
                .field("schemaVersion", info.schemaVersion())
                .field("updatedAt", info.updatedAt())
                .field("bytes", info.payloadBytes())
                .field("codec", info.codec())
                .field("format", info.format().name().toLowerCase(Locale.ROOT))
                .field("state", info.state())
                .field("stateTruncated", info.stateTruncated())
                .field("historySupported", info.historySupported());
        Optional<QuarantineEntry> q = admin.quarantine(info.id());
        if (q.isPresent()) {
            j.name("quarantine").beginObject().field("lastFailure", q.get().lastFailure())
                    .field("since", q.get().since()).endObject();
        } else {
            j.name("quarantine").nullValue();
        }
        j.name("history").beginArray();
        for (StoredVersion h : info.history()) {
            j.beginObject().field("version", h.version()).field("schemaVersion", h.schemaVersion())
                    .field("updatedAt", h.updatedAt()).field("bytes", h.payloadBytes()).endObject();
        }
        j.endArray();
        j.name("reminders").beginArray();
        for (Reminder rem : info.reminders()) {
            j.beginObject().field("name", rem.name()).field("due", rem.due())
                    .field("period", rem.periodic() ? rem.period().toString() : null)
                    .field("missedTicks", rem.missedTicks().name().toLowerCase(Locale.ROOT)).endObject();
        }
        j.endArray();
        return Guard.json(200, j.endObject().toString());
    }

    private ConsoleResponse version(ConsoleRequest r) {
        StoredVersionState v = admin.inspectVersion(id(r.param("id")), number(r, "version", 1, Long.MAX_VALUE));
        Json j = new Json().beginObject()
                .field("id", v.id().toString())
                .field("version", v.version())
                .field("schemaVersion", v.schemaVersion())
                .field("updatedAt", v.updatedAt())
                .field("bytes", v.payloadBytes())
                .field("format", v.format().name().toLowerCase(Locale.ROOT))
                .field("state", v.state())
                .field("stateTruncated", v.stateTruncated())
                .endObject();
        return Guard.json(200, j.toString());
    }

    /**
     * The recorded quarantines of the listed types, with their last failures, at most {@link #MAX_QUARANTINED}
     * (quarantines are few; {@code more} says when there are others).
     */
    private ConsoleResponse quarantined() {
        Json j = new Json().beginObject();
        j.name("entries").beginArray();
        int n = 0;
        boolean more = false;
        types:
        for (String type : types.get()) {
            KeyCursor after = null;
            do {
                QuarantinePage page = admin.quarantined(type, after, QUARANTINE_PAGE);
                for (QuarantineEntry e : page.entries()) {
                    if (n == MAX_QUARANTINED) {
                        more = true;
                        break types;
                    }
                    j.beginObject().field("id", e.id().toString()).field("type", e.id().type())
                            .field("key", e.id().key()).field("lastFailure", e.lastFailure())
                            .field("since", e.since()).endObject();
                    n++;
                }
                after = page.next();
            } while (after != null);
        }
        j.endArray().field("more", more);
        return Guard.json(200, j.endObject().toString());
    }

    // ---------------------------------------------------------------- actions

    private ConsoleResponse action(ConsoleRequest r) {
        if (readOnly) {
            return Guard.error(403, "this console is read-only");
        }
        String action = r.param("action");
        if (action == null || !actions().contains(action)) {
            throw new BadParameter("action must be one of " + actions() + (admin.runtime() == null
                    ? " (petrify needs the application's runtime)" : ""));
        }
        ServerId id = id(r.param("id"));
        ServerRuntime runtime = admin.runtime();
        String message;
        long version = -1;
        switch (action) {
            case "release" -> message = admin.release(id) ? "released " + id : id + " was not quarantined";
            case "petrify" -> message = runtime.petrify(id) ? "petrifying " + id : id + " was not active";
            case "rollback" -> {
                int steps = (int) number(r, "steps", 1, Integer.MAX_VALUE);
                version = admin.rollback(id, steps);
                message = "rolled " + id + " back " + steps + (steps == 1 ? " version" : " versions")
                        + ": now version " + version;
            }
            case "reset" -> {
                if (runtime != null) {
                    runtime.reset(id);
                    message = "reset " + id + ": the next message starts it fresh";
                } else {
                    Deletion d = admin.delete(id);
                    version = d.tombstoneVersion();
                    message = "reset " + id + " (deleted version " + d.deletedVersion()
                            + "): the next message starts it fresh";
                }
            }
            case "delete" -> {
                long expected = number(r, "version", 1, Long.MAX_VALUE);
                Deletion d = admin.delete(id, expected);
                version = d.tombstoneVersion();
                message = "deleted " + id + " version " + d.deletedVersion();
            }
            default -> throw new BadParameter("unknown action");
        }
        Json j = new Json().beginObject().field("ok", true).field("message", message);
        if (version >= 0) {
            j.field("version", version);
        }
        return Guard.json(200, j.endObject().toString());
    }

    // ---------------------------------------------------------------- parameters

    private static String type(String text) {
        if (text == null || !ServerId.isValidTypeName(text)) {
            throw new BadParameter("type must be a type name (letters, digits, _ . $ -)");
        }
        return text;
    }

    private static ServerId id(String text) {
        if (text == null) {
            throw new BadParameter("id is missing (TYPE:KEY, the key percent-encoded)");
        }
        try {
            return ServerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadParameter("id is not TYPE:KEY with the key percent-encoded");
        }
    }

    private static KeyCursor cursor(String text) {
        try {
            return KeyCursor.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadParameter("after must be a key percent-encoded");
        }
    }

    private static long number(ConsoleRequest r, String name, long min, long max) {
        String text = r.param(name);
        if (text == null) {
            throw new BadParameter(name + " is missing");
        }
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new BadParameter(name + " must be a number");
        }
        if (v < min || v > max) {
            throw new BadParameter(name + " must be from " + min + " to " + max);
        }
        return v;
    }

    /** A malformed request parameter; the message names it and never echoes its value. */
    private static final class BadParameter extends RuntimeException {
        BadParameter(String message) {
            super(message, null, false, false);
        }
    }
}
