package io.github.pgs.internal;

import io.github.pgs.LifecyclePolicy;
import io.github.pgs.ServerId;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.Storage;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Start-up recovery: revives, in the background and at most {@code perSecond} a second, every stored server of a
 * registered {@code PERMANENT} type and every server of a {@code rememberActive} type that has a remember-active
 * marker ({@link ActiveMarkers}). It is one of the cluster-wide duties: the wake-ups go through {@link Wakes}, so
 * the server's owner revives it.
 *
 * <h2>Algorithm</h2>
 * The keys are streamed page by page and each server is woken as its page is read: memory stays bounded by one
 * page whatever the number of servers. A marker of a {@code PERMANENT} type wakes its server only if it has no
 * stored state ({@link Envelope.Start#ifNoState()}): one with a state was covered by the listing of stored states,
 * whether its revival succeeded or not, so every server is revived at most once, with nothing remembered.
 *
 * <h2>Hazards</h2>
 * One bad row must not stop the rest: a marker whose key does not parse as a server id, or a key the type refuses
 * (too long), is counted and skipped, and reported once (without quoting it); a listing whose cursor does not
 * advance (a store bug) ends that listing with an error instead of looping forever.
 */
final class Recovery {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    private final Services rt;
    private final TypeRegistry types;
    private final Wakes wakes;
    private long revived;
    private long skipped;

    Recovery(Services rt, TypeRegistry types, Wakes wakes) {
        this.rt = rt;
        this.types = types;
        this.wakes = wakes;
    }

    /** Starts the recovery on a virtual thread of its own; returns that thread. */
    static Thread start(Services rt, TypeRegistry types, Wakes wakes, int perSecond) {
        Recovery r = new Recovery(rt, types, wakes);
        long pause = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
        return Thread.ofVirtual().name("pgs-recovery").start(() -> r.run(pause));
    }

    private void run(long pauseNanos) {
        try {
            for (TypeRuntime<?, ?> t : types.all()) {
                if (t.options().lifecycle() == LifecyclePolicy.PERMANENT) {
                    listing(t.name(), key -> wake(t, key, false, pauseNanos));
                }
            }
            // markers also name servers that were active but never wrote a state (so are not listed above)
            listing(ActiveMarkers.TYPE, marker -> {
                ServerId id;
                try {
                    id = ServerId.parse(marker);
                } catch (RuntimeException malformed) {
                    skip("a remember-active marker whose key is not a server id");
                    return;
                }
                TypeRuntime<?, ?> t = types.find(id.type());
                if (t != null && t.options().rememberActive()) {
                    wake(t, id.key(), t.options().lifecycle() == LifecyclePolicy.PERMANENT, pauseNanos);
                }
            });
            LOG.log(System.Logger.Level.INFO, "runtime " + rt.name + ": recovery revived " + revived + " servers"
                    + (skipped == 0 ? "" : " and skipped " + skipped + " stored entries it could not use"));
        } catch (StopRecovery closed) {
            // the runtime closes: nothing more to revive here
        }
    }

    /** Lists one type; a store failure ends that listing (reported), not the recovery of the other types. */
    private void listing(String type, Consumer<String> each) {
        try {
            Listing.eachPage(rt.storage, type, Listing.PAGE, page -> {
                rt.skippedRows.report("recovery", page.skipped());
                page.keys().forEach(each);
            });
        } catch (StopRecovery closed) {
            throw closed;
        } catch (RuntimeException e) {
            if (!rt.dispatcher.isClosed()) {
                LOG.log(System.Logger.Level.ERROR, "runtime " + rt.name + ": recovery could not list type " + type
                        + " to the end", e);
            }
        }
    }

    private void wake(TypeRuntime<?, ?> t, String key, boolean ifNoState, long pauseNanos) {
        if (rt.dispatcher.isClosed()) {
            throw new StopRecovery();
        }
        ServerId id;
        try {
            id = t.checkedId(key);
        } catch (RuntimeException refused) {
            skip("a stored key of type " + t.name() + " that the type refuses (" + refused.getClass().getSimpleName()
                    + ")");
            return;
        }
        RuntimeObserver o = rt.observer;
        wakes.start(t, id, ifNoState, o == null ? ignored -> { } : failure -> {
            if (failure == null) {
                o.recovered(id);
            }
        });
        revived++;
        if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos);
        }
    }

    private void skip(String what) {
        if (skipped++ == 0) {
            LOG.log(System.Logger.Level.WARNING, "runtime " + rt.name + ": recovery skipped " + what
                    + "; further skips are counted in its summary");
        }
    }

    /** Ends the recovery early: the runtime closes. */
    private static final class StopRecovery extends RuntimeException {
        StopRecovery() {
            super("runtime closed", null, false, false);
        }
    }
}
