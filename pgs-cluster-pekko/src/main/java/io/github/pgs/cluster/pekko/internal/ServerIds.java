package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;

/** Entity ids are {@link ServerId#toString()}: exact, parseable, and already what refs print. */
final class ServerIds {

    private ServerIds() {
    }

    static String entityId(ServerId id) {
        return id.toString();
    }

    static ServerId parse(String entityId) {
        return ServerId.parse(entityId);
    }
}
