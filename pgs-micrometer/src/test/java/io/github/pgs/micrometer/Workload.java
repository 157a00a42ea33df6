package io.github.pgs.micrometer;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.StoreOp;
import io.github.pgs.spi.RuntimeObserver.StoreOutcome;

import java.time.Duration;

/** One pass over every event and scope of the seam, with keys that must never show up in any tag. */
final class Workload {

    static final String SECRET = "k3y-never-tagged";
    static final ServerId PLAYER = new ServerId("player", SECRET + "-1");
    static final ServerId OTHER = new ServerId("player", SECRET + "-2");
    static final ServerId ROOM = new ServerId("room", SECRET + "-3");

    record ReadScore() {
    }

    record Move(int x) {
    }

    record Tick() {
    }

    private Workload() {
    }

    static void run(SyntheticRuntime rt) {
        RuntimeObserver o = rt.observer();
        o.activated(PLAYER, RuntimeObserver.ActivationKind.INIT);
        o.activated(OTHER, RuntimeObserver.ActivationKind.REVIVAL);
        o.activated(ROOM, RuntimeObserver.ActivationKind.REVIVAL);

        rt.call(PLAYER, ReadScore.class, 3_000_000, 1_000_000, () -> {
            rt.store(PLAYER, StoreOp.READ, "sqlite", 400_000, StoreOutcome.OK, 120, null);
            long nested = rt.call(ROOM, ReadScore.class, 1_000_000, 500_000, () -> 7L);
            rt.store(PLAYER, StoreOp.WRITE, "sqlite", 800_000, StoreOutcome.OK, 130, null);
            return nested;
        });
        rt.failedCall(PLAYER, ReadScore.class, 5_000_000_000L, new CallTimeoutException(PLAYER, Duration.ofSeconds(5)));
        rt.failedCall(PLAYER, Move.class, 1_000, new MailboxFullException(PLAYER, 10));
        rt.cast(PLAYER, Kind.CAST, Move.class, 2_000, 3, 600_000, () ->
                rt.store(PLAYER, StoreOp.WRITE, "sqlite", 700_000, StoreOutcome.CONFLICT, 0,
                        new VersionConflictException(PLAYER, 4, 5)));
        rt.cast(OTHER, Kind.INFO, Tick.class, 1_000, 0, 100_000, () ->
                rt.store(OTHER, StoreOp.DELETE, "sqlite", 300_000, StoreOutcome.ERROR, 0,
                        new StorageException(OTHER, "disk full", null)));
        rt.store(ROOM, StoreOp.READ, "sqlite", 200_000, StoreOutcome.ABSENT, 0, null);
        try {
            rt.call(OTHER, Move.class, 2_000_000, 1_000_000, () -> {
                throw new IllegalStateException("boom " + SECRET);
            });
        } catch (IllegalStateException expected) {
            // the handler crashed: the caller sees it
        }
        o.crashed(OTHER, new IllegalStateException("boom " + SECRET));
        o.quarantined(OTHER, "crashed 3 times: boom " + SECRET);
        o.deactivated(OTHER);
        o.released(OTHER);

        Object[] origin = new Object[1];
        rt.call(ROOM, Move.class, 1_000_000, 900_000, () -> {
            origin[0] = rt.schedule(ROOM, Kind.TIMER);
            return null;
        });
        rt.fire(ROOM, Kind.TIMER, Tick.class, origin[0], 50_000, () -> { });
        o.reminderFired(ROOM, 1_500, true);
        o.reminderFired(ROOM, 90_000, false);
        rt.fire(ROOM, Kind.REMINDER, io.github.pgs.ReminderFired.class, null, 70_000, () -> { });

        o.batchWritten("sqlite", 12, 2_000_000, null);
        o.batchWritten("sqlite", 4, 1_000_000, null);
        o.batchWritten("sqlite", 1, 9_000_000, new StorageException(PLAYER, "database is locked", null));

        o.petrified(PLAYER, RuntimeObserver.PetrifyCause.IDLE);
        o.deactivated(PLAYER);
        o.stopped(ROOM, StopReason.NORMAL);
        o.deactivated(ROOM);
        o.recovered(ROOM);
        o.activated(ROOM, RuntimeObserver.ActivationKind.REVIVAL);
    }
}
