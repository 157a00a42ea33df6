package io.github.pgs;

/** The server's mailbox holds its capacity of waiting messages; the message was not accepted. */
public class MailboxFullException extends GenServerException {

    private final int capacity;

    public MailboxFullException(ServerId serverId, int capacity) {
        super(serverId, "mailbox full (" + capacity + " messages waiting)");
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }
}
