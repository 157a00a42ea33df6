package io.github.pgs.admin;

import io.github.pgs.ServerId;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Admin#expire}.
 *
 * @param type           the type swept
 * @param cutoff         states last written at or before this instant were expired
 * @param dryRun         whether nothing was deleted ({@link #expired()} then lists what would have been)
 * @param examined       live states looked at
 * @param expired        the servers deleted (or, in a dry run, that would be), in key order, as they were
 *                       before the deletion
 * @param skippedActive  old states left alone because their server was active in the admin's runtime
 * @param skippedChanged old states left alone because they were written or deleted by someone else between the
 *                       check and the deletion
 * @param unreadable     rows skipped because they cannot be read (a key that is not valid UTF-8, a corrupt
 *                       record); logged as a warning, neither examined nor deleted
 */
public record ExpireReport(String type, Instant cutoff, boolean dryRun, long examined, List<ServerEntry> expired,
                           int skippedActive, int skippedChanged, long unreadable) {

    public ExpireReport {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(cutoff, "cutoff");
        expired = List.copyOf(expired);
    }

    /** The ids of {@link #expired()}. */
    public List<ServerId> ids() {
        return expired.stream().map(ServerEntry::id).toList();
    }
}
