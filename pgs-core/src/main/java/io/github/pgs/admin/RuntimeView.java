package io.github.pgs.admin;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.internal.StoreTools;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.Storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The servers a runtime holds, as the admin's expiry and deletion see them; and the page of recorded quarantines. */
final class RuntimeView implements StoreTools.ServerView {

    private final ServerRuntime runtime;

    RuntimeView(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public boolean isActive(ServerId id) {
        return runtime.isActive(id);
    }

    @Override
    public boolean isQuarantined(ServerId id) {
        return runtime.isQuarantined(id);
    }

    @Override
    public boolean release(ServerId id) {
        return runtime.release(id);
    }

    @Override
    public boolean petrify(ServerId id) {
        return runtime.petrify(id);
    }

    /** The recorded quarantines of {@code type} among at most {@code limit} records after {@code after}. */
    static QuarantinePage quarantined(Storage storage, String type, KeyCursor after, int limit) {
        KeyPage page = storage.list(StoreTools.QUARANTINE_TYPE, after, limit);
        List<ServerId> ids = new ArrayList<>();
        for (String key : page.keys()) {
            try {
                ServerId id = ServerId.parse(key);
                if (id.type().equals(type)) {
                    ids.add(id);
                }
            } catch (IllegalArgumentException notAnId) {
                // a record the runtime cannot have written: not a quarantine of this type
            }
        }
        List<QuarantineEntry> entries = new ArrayList<>(ids.size());
        Map<ServerId, StoreTools.Recorded> recorded = StoreTools.recordedQuarantines(storage, ids);
        for (ServerId id : ids) {
            StoreTools.Recorded r = recorded.get(id);
            if (r != null) {
                entries.add(new QuarantineEntry(id, r.lastFailure(), Instant.ofEpochMilli(r.sinceMillis())));
            }
        }
        return new QuarantinePage(entries, page.next());
    }
}
