package io.github.pgs.admin;

import io.github.pgs.ServerId;

import java.time.Instant;
import java.util.Objects;

/**
 * A quarantined server as the store records it: quarantines for crash loops outlive the runtime that made them,
 * so that a new runtime keeps failing the server fast until it is released, rolled back or reset.
 *
 * @param id          the server
 * @param lastFailure the failure that quarantined it (no state contents)
 * @param since       when the quarantine was recorded
 */
public record QuarantineEntry(ServerId id, String lastFailure, Instant since) {

    public QuarantineEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lastFailure, "lastFailure");
        Objects.requireNonNull(since, "since");
    }
}
