package io.github.pgs.admin;

import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.SkippedRow;

import java.util.List;

/**
 * One page of {@link Admin#list}: entries in ascending order of their keys' UTF-8 bytes.
 *
 * <p>A page can hold fewer entries than were asked for even when more follow: a state deleted between the
 * listing and the loading of its record is left out, and so is a row that cannot be read (reported in
 * {@link #skipped()}). Continue while {@link #hasMore()}.
 *
 * @param entries the servers on this page
 * @param next    the cursor to pass for the next page, or {@code null} on the last page; {@link KeyCursor#text()}
 *                writes it the way keys are written in server ids
 * @param skipped the rows of this page that cannot be read, logged as a warning
 */
public record ServerPage(List<ServerEntry> entries, KeyCursor next, List<SkippedRow> skipped) {

    public ServerPage {
        entries = List.copyOf(entries);
        skipped = List.copyOf(skipped);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return next != null;
    }
}
