package io.github.pgs.admin;

import java.util.List;

/**
 * One page of {@link Admin#list}: entries in ascending order of their keys' UTF-8 bytes.
 *
 * <p>A page can hold fewer entries than were asked for even when more follow: a state deleted between the
 * listing and the loading of its record is left out. Continue while {@link #hasMore()}.
 *
 * @param entries   the servers on this page
 * @param nextAfter the key to pass as {@code afterKey} for the next page, or {@code null} on the last page
 */
public record ServerPage(List<ServerEntry> entries, String nextAfter) {

    public ServerPage {
        entries = List.copyOf(entries);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return nextAfter != null;
    }
}
