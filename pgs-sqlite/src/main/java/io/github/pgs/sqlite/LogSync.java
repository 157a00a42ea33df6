package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.store.support.GroupCommit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Makes committed transactions durable beside the next one, for {@link SqliteOptions.Synchronous#FULL}.
 *
 * <h2>Algorithm</h2>
 * The writer connection runs with SQLite's {@code synchronous = NORMAL}: a {@code COMMIT} writes the
 * transaction's frames to the write-ahead log and returns without syncing it. The writer then hands the batch's
 * entries here and starts on the next batch at once. This thread takes every batch handed over since its last
 * sync, syncs the log file once ({@code fdatasync}), and only then completes those entries. So a write is
 * acknowledged only after its frames reached stable storage, as with SQLite's own {@code FULL}, but the sync of
 * one batch overlaps the statements and commit of the next, and one sync serves every batch committed while the
 * previous sync ran.
 *
 * <h2>Why that is as durable as {@code FULL}</h2>
 * A sync started after a commit's frames were written covers them and every earlier frame of the file; SQLite's
 * recovery keeps the longest valid prefix of the log, so every acknowledged commit survives power loss, and a
 * commit lost before its sync was never acknowledged. A checkpoint (which copies the log into the database file
 * and may then restart the log from its beginning) syncs the log before copying and the database file after,
 * also under {@code NORMAL}, so frames that a restart overwrites are already safe in the database file. The log
 * file's directory entry is synced once, before the first sync of the log.
 *
 * <h2>Hazards</h2>
 * <ul>
 *   <li>Other connections (readers, other processes) can see a commit before it is synced; only the
 *       acknowledgement waits. A write that another store bases on such a commit is synced after it, so its
 *       own acknowledgement covers both.</li>
 *   <li>A failed sync fails every entry it covered with a {@link StorageException}: the write was committed,
 *       but whether it survives a power loss is unknown. Later batches are synced again.</li>
 *   <li>The log file is opened once and kept open. SQLite never deletes it while the store's writer connection
 *       is open; it only truncates it, which keeps the file.</li>
 * </ul>
 *
 * @param <T> the group commit's item
 */
final class LogSync<T> implements AutoCloseable {

    /** Forces the log to stable storage. */
    @FunctionalInterface
    interface Syncer extends AutoCloseable {
        void sync() throws IOException;

        @Override
        default void close() throws IOException {
        }
    }

    /** The entries of one committed batch, with their new versions. */
    private record Committed<T>(List<GroupCommit.Entry<T, Long>> entries, long[] versions) {
    }

    private final Committed<T> stop = new Committed<>(List.of(), new long[0]);
    private final String what;
    private final Function<T, ServerId> idOf;
    private final Syncer syncer;
    private final LinkedBlockingQueue<Committed<T>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    /**
     * @param what   names the store in errors
     * @param idOf   the server an item writes, named in errors
     * @param syncer forces the log; {@link #fileSyncer(Path)} in production
     */
    LogSync(String what, Function<T, ServerId> idOf, Syncer syncer) {
        this.what = what;
        this.idOf = idOf;
        this.syncer = syncer;
        this.thread = Thread.ofPlatform().daemon().name("pgs-sqlite-log-sync").unstarted(this::run);
        thread.start();
    }

    /**
     * Syncs {@code log} with {@code fdatasync} through one channel, opened at the first sync (the log exists once
     * a transaction committed); before that first sync, the log's directory is synced too (best effort: not
     * every platform can open a directory).
     */
    static Syncer fileSyncer(Path log) {
        return new Syncer() {
            private FileChannel channel;

            @Override
            public void sync() throws IOException {
                if (channel == null) {
                    channel = FileChannel.open(log, StandardOpenOption.WRITE);
                    syncDirectory(log.toAbsolutePath().getParent());
                }
                channel.force(false);
            }

            @Override
            public void close() throws IOException {
                if (channel != null) {
                    channel.close();
                }
            }
        };
    }

    private static void syncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a file; its file system journals the entry itself.
        }
    }

    /**
     * Takes over the entries of a committed batch: each is completed with its version after the next sync, or
     * failed if that sync fails. Called by the writer thread only, before it starts the next batch.
     */
    void committed(List<GroupCommit.Entry<T, Long>> entries, long[] versions) {
        for (GroupCommit.Entry<T, Long> e : entries) {
            e.handOff();
        }
        queue.add(new Committed<>(entries, versions));
    }

    private void run() {
        List<Committed<T>> batch = new ArrayList<>();
        boolean stopped = false;
        while (!stopped) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops this thread, after the writer handed over its last batch
            }
            queue.drainTo(batch);
            if (batch.get(batch.size() - 1) == stop) {
                batch.remove(batch.size() - 1);
                stopped = true;
            }
            if (!batch.isEmpty()) {
                complete(batch);
            }
            batch.clear();
        }
    }

    private void complete(List<Committed<T>> batch) {
        IOException failure = null;
        try {
            syncer.sync();
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException(e);
        }
        for (Committed<T> c : batch) {
            for (int i = 0; i < c.entries.size(); i++) {
                GroupCommit.Entry<T, Long> e = c.entries.get(i);
                if (failure == null) {
                    e.succeed(c.versions[i]);
                } else {
                    e.fail(new StorageException(idOf.apply(e.item()), what + ": the write was committed but syncing the log failed, so"
                            + " whether it survives a power loss is unknown: " + failure.getMessage(), failure));
                }
            }
        }
    }

    /**
     * Syncs and completes everything handed over, then stops the thread. Call after the writer stopped; idempotent
     * after the first call returns.
     */
    @Override
    public void close() {
        if (!thread.isAlive()) {
            return;
        }
        queue.add(stop);
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            syncer.close();
        } catch (IOException e) {
            // the channel was only used to sync; nothing is lost by failing to close it
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
