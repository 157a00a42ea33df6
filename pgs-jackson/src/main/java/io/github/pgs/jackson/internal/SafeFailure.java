package io.github.pgs.jackson.internal;

import tools.jackson.databind.DatabindException;

/**
 * A failure raised by this codec's own Jackson extensions. Its message is written here, never quotes the data
 * being read or written, and so can be shown as it is; {@link Failures} relies on that.
 */
class SafeFailure extends DatabindException {

    SafeFailure(String message) {
        super(message);
    }

    SafeFailure(String message, Throwable cause) {
        super(null, message, cause);
    }
}
