package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The single JVM: everything goes straight to the local activation, through the {@link Dispatcher}. */
final class LocalRouter implements Router {

    private final Services rt;
    private final Dispatcher dispatcher;
    private final Wakes wakes;
    private final Expiry.Judge ttlJudge;

    LocalRouter(Services rt) {
        this.rt = rt;
        this.dispatcher = rt.dispatcher;
        this.wakes = Wakes.local(dispatcher);
        StoreTools.ServerView view = dispatcher.view();
        this.ttlJudge = (id, version, dryRun) -> Expiry.expireOne(rt.storage, view, id, version, dryRun);
    }

    @Override
    public <R> R call(Registry.Target t, Call<R> request, Duration timeout) {
        return dispatcher.callSync(t, request, timeout);
    }

    @Override
    public <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout) {
        return dispatcher.callAsync(t, request, timeout);
    }

    @Override
    public void cast(Registry.Target t, Object message, boolean info) {
        dispatcher.cast(t, message, info);
    }

    @Override
    public void stop(Registry.Target t, StopReason reason, Duration timeout) {
        dispatcher.stop(t, reason, timeout);
    }

    @Override
    public void start(Registry.Target t, Duration timeout) {
        dispatcher.start(t, timeout);
    }

    @Override
    public boolean petrify(ServerId id) {
        return dispatcher.petrify(id);
    }

    @Override
    public void petrifyAndWait(ServerId id, Duration timeout) {
        dispatcher.operations.quiesce(id, timeout);
    }

    @Override
    public boolean release(ServerId id) {
        return dispatcher.operations.release(id);
    }

    @Override
    public Wakes wakes() {
        return wakes;
    }

    @Override
    public Expiry.Judge ttlJudge() {
        return ttlJudge;
    }
}
