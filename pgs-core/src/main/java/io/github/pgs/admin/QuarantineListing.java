package io.github.pgs.admin;

import io.github.pgs.ServerId;
import io.github.pgs.internal.StoreTools;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.Storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The recorded quarantines of a type, page by page, as {@link Admin#quarantined} lists them. */
final class QuarantineListing {

    private QuarantineListing() {
    }

    /** The recorded quarantines of {@code type} among at most {@code limit} records after {@code after}. */
    static QuarantinePage page(Storage storage, String type, KeyCursor after, int limit) {
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
