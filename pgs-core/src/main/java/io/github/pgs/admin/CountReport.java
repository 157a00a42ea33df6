package io.github.pgs.admin;

import java.util.Objects;

/**
 * The outcome of {@link Admin#countReport}.
 *
 * @param type       the type counted
 * @param servers    servers holding a live state
 * @param unreadable rows skipped because they cannot be read (a key that is not valid UTF-8, say); they are
 *                   logged as a warning, and counted in neither
 */
public record CountReport(String type, long servers, long unreadable) {

    public CountReport {
        Objects.requireNonNull(type, "type");
    }
}
