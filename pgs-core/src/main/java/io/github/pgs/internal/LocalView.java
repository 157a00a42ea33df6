package io.github.pgs.internal;

import io.github.pgs.ServerId;

/** The servers this runtime holds, as its own TTL sweeps judge them. */
final class LocalView implements StoreTools.ServerView {

    private final Dispatcher dispatcher;

    LocalView(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public boolean isActive(ServerId id) {
        return dispatcher.isActive(id);
    }

    @Override
    public boolean isQuarantined(ServerId id) {
        return dispatcher.isQuarantined(id);
    }

    @Override
    public boolean release(ServerId id) {
        return dispatcher.operations.release(id);
    }

    @Override
    public boolean petrify(ServerId id) {
        return dispatcher.petrify(id);
    }
}
