package io.github.pgs.cli;

/** The command line is malformed; the tool prints the message and exits with status 2. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message, null, false, false);
    }
}
