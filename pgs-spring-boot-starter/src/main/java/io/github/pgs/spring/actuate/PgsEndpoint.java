package io.github.pgs.spring.actuate;

import io.github.pgs.Reminder;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.QuarantineEntry;
import io.github.pgs.admin.QuarantinePage;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.StoredVersion;
import io.github.pgs.console.TypeCounts;
import io.github.pgs.spi.KeyCursor;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The actuator endpoint {@code pgs}, read only: {@code GET /actuator/pgs} lists the types with their active,
 * petrified and quarantined counts and counters, the runtime's counters and the quarantined servers with their last
 * failure (up to {@value #QUARANTINES_LISTED}); {@code GET /actuator/pgs/TYPE/KEY} shows one server: status,
 * version, schema version, last write, its quarantine, its state as text (the admin's text form), the versions kept
 * and its reminders. {@link PgsWritableEndpoint} adds the repairs when {@code pgs.endpoint.writes-enabled}.
 */
@Endpoint(id = "pgs")
public class PgsEndpoint {

    /** Servers read per type to count them by status. */
    static final int COUNT_LIMIT = 100_000;

    protected final ServerRuntime runtime;
    protected final Admin admin;

    public PgsEndpoint(ServerRuntime runtime, Admin admin) {
        this.runtime = runtime;
        this.admin = admin;
    }

    /** The quarantined servers listed by the overview. */
    static final int QUARANTINES_LISTED = 200;

    /** One type: its servers by status and its counters. */
    public record Type(String name, TypeCounts servers, RuntimeStats stats) {}

    /** The runtime's overview. */
    public record Overview(String runtime, String store, int active, RuntimeStats stats, List<Type> types,
                           List<QuarantineEntry> quarantined) {}

    /** One stored version kept for rollback. */
    public record Version(long version, int schemaVersion, Instant updatedAt, int bytes) {}

    /** One server. */
    public record Server(String id, String status, long version, int schemaVersion, Instant updatedAt, int bytes,
                         QuarantineEntry quarantine, String format, String state, boolean stateTruncated,
                         List<Version> history, List<Reminder> reminders) {}

    @ReadOperation
    public Overview overview() {
        List<Type> types = new ArrayList<>();
        List<QuarantineEntry> quarantined = new ArrayList<>();
        for (ServerType<?, ?> t : runtime.types()) {
            types.add(new Type(t.name(), TypeCounts.of(admin, t.name(), COUNT_LIMIT), runtime.stats(t.name())));
            KeyCursor after = null;
            do {
                QuarantinePage page = admin.quarantined(t.name(), after, QUARANTINES_LISTED);
                for (QuarantineEntry e : page.entries()) {
                    if (quarantined.size() < QUARANTINES_LISTED) {
                        quarantined.add(e);
                    }
                }
                after = quarantined.size() < QUARANTINES_LISTED ? page.next() : null;
            } while (after != null);
        }
        return new Overview(runtime.name(), runtime.storage().getClass().getSimpleName(), runtime.activeCount(),
                runtime.stats(), types, quarantined);
    }

    @ReadOperation
    public Server server(@Selector String type, @Selector String key) {
        ServerInfo i = admin.inspect(new ServerId(type, key));
        List<Version> history = i.history().stream()
                .map((StoredVersion h) -> new Version(h.version(), h.schemaVersion(), h.updatedAt(), h.payloadBytes()))
                .toList();
        return new Server(i.id().toString(), i.status().label(), i.version(), i.schemaVersion(), i.updatedAt(),
                i.payloadBytes(), admin.quarantine(i.id()).orElse(null),
                i.format().name().toLowerCase(java.util.Locale.ROOT), i.state(), i.stateTruncated(), history,
                i.reminders());
    }
}
