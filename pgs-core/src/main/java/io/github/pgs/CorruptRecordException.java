package io.github.pgs;

/**
 * A stored record cannot be read as a state at all: its version, schema version or reminder fields hold values no
 * store writes (a row changed by hand, another program, a bad migration or a damaged disk). Only that server is
 * affected: the record is left untouched, every other server keeps working, and a scan that meets such a row
 * skips it and reports it. Loading the server again fails the same way until an operator repairs or deletes the
 * record. The message names the field and the problem, never the stored value.
 */
public class CorruptRecordException extends StorageException {

    private final String field;

    public CorruptRecordException(ServerId serverId, String field, String problem) {
        super(serverId, "corrupt stored record: " + field + " " + problem, null);
        this.field = field;
    }

    /** The field that holds the impossible value (for example {@code version}). */
    public String field() {
        return field;
    }
}
