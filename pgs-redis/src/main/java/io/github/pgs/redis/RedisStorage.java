package io.github.pgs.redis;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.store.support.GroupCommit;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoreObserver;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.support.CloseGate;
import io.github.pgs.store.support.DuePageBuilder;
import io.github.pgs.store.support.KeyPageBuilder;
import io.github.pgs.store.support.StoreChecks;
import io.github.pgs.store.support.StoredRows;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Storage} on Redis (standalone server or a Sentinel-managed primary), through Lettuce.
 *
 * <h2>Data layout</h2>
 * With namespace {@code ns} (see {@link RedisOptions#namespace()}):
 * <ul>
 *   <li>{@code ns:s:<type>:<key>} is a hash per server with fields {@code version} (decimal), {@code schema}
 *       (decimal), {@code payload} (the state's bytes) and {@code updated} (epoch millis from the Redis
 *       server's clock), and, while the server has reminders, {@code reminders} (their bytes) and
 *       {@code remindAt} (the earliest one's epoch millis as 8 bytes, big-endian). A tombstone keeps
 *       {@code version} and {@code updated} only.</li>
 *   <li>{@code ns:i:<type>} is a sorted set per type whose members are the UTF-8 bytes of the keys holding a
 *       live state, all with score 0, so {@code ZRANGEBYLEX} lists them in byte order. Tombstones are not in
 *       it.</li>
 *   <li>{@code ns:r} is one sorted set per namespace of the servers with reminders, all with score 0, each member
 *       the 8-byte big-endian {@code remindAt}, the type, {@code :} and the key's bytes. Byte order of the
 *       members is (remindAt, type, key) order, so {@link #due} is one {@code ZRANGEBYLEX} from the cursor's
 *       member (exclusive) to the 8 bytes of {@code notAfter + 1} (exclusive).</li>
 * </ul>
 * Keys are raw UTF-8 bytes (a byte-array codec; NUL, {@code *}, <code>{</code>, quotes and non-BMP characters
 * arrive unchanged). Type names and namespaces cannot contain {@code :}, so everything up to the second
 * {@code :} after the namespace is the type: two different (type, key) pairs never map to the same Redis key,
 * whatever the key holds. Keys that are not well-formed UTF-16 (an unpaired surrogate) have no UTF-8 form and
 * are refused with {@link IllegalArgumentException} rather than silently merged with another key.
 *
 * <h2>Algorithm</h2>
 * Every {@link #save} and {@link #delete} is one Lua script, so the version check and the write are atomic on
 * the server: the script compares the stored {@code version} (as a string; absent counts as {@code "0"})
 * with the expected one, and on a match writes the hash and adds the key to (or, for a tombstone, removes it
 * from) the type's index. It also replaces the server's reminders: it reads the stored {@code remindAt} with the
 * version (one {@code HMGET}), removes the old member of {@code ns:r} and adds the new one (only when they
 * differ), and writes or deletes the two hash fields; a write without reminders, of a server that had none, runs
 * no command more than before reminders existed. It returns the new version, or {@code -1 - actual} on a
 * conflict, in which case it wrote nothing. Keys and payloads travel as script arguments, never as script text.
 * The script is loaded once ({@code SCRIPT LOAD}) and called by digest ({@code EVALSHA}); when the server answers
 * {@code NOSCRIPT} (a restart or {@code SCRIPT FLUSH} emptied its script cache), the affected writes are sent
 * again with {@code EVAL}, which is safe because {@code NOSCRIPT} means the script did not run.
 *
 * <p>Writes go through the shared {@link GroupCommit}: callers block while a writer thread takes whatever
 * has queued (at most {@code maxBatch}), sends all its scripts on its own connection with auto-flush off,
 * flushes once, and then completes each caller with its own outcome. A conflict fails only its own write with
 * {@link VersionConflictException}. Redis runs a pipeline's commands in order, so a batch behaves exactly like
 * the same writes sent one by one. Reads ({@link #load}, {@link #loadAll}, {@link #list}, {@link #due}) use a
 * separate shared connection; {@link #loadAll} pipelines one {@code HMGET} per server. Nothing ever uses
 * {@code KEYS} or a {@code SCAN} over the database.
 *
 * <h2>Hazards</h2>
 * <ul>
 *   <li><b>Durability is the server's.</b> A write is acknowledged when Redis has applied it in memory. It
 *       survives a Redis crash only as far as the server's persistence settings allow: with
 *       {@code appendonly yes} and {@code appendfsync always} every acknowledged write is on disk;
 *       {@code appendfsync everysec} (the usual setting) can lose about the last second of acknowledged
 *       writes on a crash or power loss; with {@code appendonly no}, everything since the last RDB snapshot
 *       is lost (all of it, if snapshots are off too).</li>
 *   <li><b>Replication is asynchronous.</b> If the primary fails over to a replica that had not yet
 *       received some acknowledged writes, those writes are lost, and servers revive from older versions.
 *       {@link RedisOptions#minReplicas()} makes every batch wait ({@code WAIT}) until that many replicas
 *       have it and fails the writes otherwise; this narrows the window but is not a consensus protocol
 *       (a failover can still promote a replica that did not acknowledge).</li>
 *   <li><b>Outcome unknown.</b> A timeout or lost connection fails the waiting callers with
 *       {@link StorageException} although Redis may have executed the script; the runtime reloads before
 *       writing again, and the version check keeps the state consistent.</li>
 *   <li><b>No Redis Cluster.</b> The script touches a server's hash, its type's index and the namespace's
 *       reminder set, which live in different hash slots; this store needs a single primary.</li>
 *   <li><b>Why lexicographic, not scored, reminders.</b> With {@code remindAt} as the score, servers due at the
 *       same instant would sort by member, but Redis cannot start a range "after member m among those with
 *       score s" without the rank of m, which is gone once m is removed or rescheduled between two pages; and a
 *       score (a double) holds epoch millis exactly only up to 2<sup>53</sup>. A prefix of 8 big-endian bytes
 *       makes the cursor a plain exclusive lower bound and keeps every {@code long} exact.</li>
 *   <li>A store built on its own URI sets its client to reject commands while disconnected, so callers fail
 *       fast instead of queuing behind a reconnect; a user-supplied client keeps its own options.</li>
 * </ul>
 *
 * <p>Thread-safe. Exception messages name the endpoint (host and port) but never credentials.
 */
public final class RedisStorage implements Storage {

    /*
     * KEYS[1] = the server's hash, KEYS[2] = the type's index, KEYS[3] = the server's history list,
     * KEYS[4] = the namespace's reminder set.
     * ARGV[1] = 'w' (write) or 'd' (tombstone), ARGV[2] = expected version, ARGV[3] = new version,
     * ARGV[4] = index member (the key's bytes), ARGV[5] = type name; for 'w' also ARGV[6] = schema version,
     * ARGV[7] = payload, ARGV[8] = history depth, and with reminders ARGV[9] = reminders, ARGV[10] = remindAt
     * as 8 big-endian bytes (absent without reminders).
     * History entries are 'version:schema:updated:' followed by the payload's bytes, most recent first; a
     * write with depth 0 and a tombstone drop the list. A reminder-set member is remindAt .. type .. ':' .. key.
     * Versions are compared as the decimal strings the store itself wrote, so no number conversion is involved
     * except for the reply. Redis does not roll a script back when a command in it fails, so the commands that
     * can fail on a key of the wrong type run before the hash is written, and the reminder set, whose commands
     * come last of those, is checked first (ZCARD) whenever the script will touch it: a failing script never
     * changes the version, nor the reminder set.
     */
    private static final String CAS_SCRIPT = """
            local cur = redis.call('HMGET', KEYS[1], 'version', 'remindAt')
            local stored = cur[1]
            if not stored then stored = '0' end
            if stored ~= ARGV[2] then
              local actual = tonumber(stored)
              if not actual then return redis.error_reply('pgs: stored version is not a number') end
              return -1 - actual
            end
            local old = cur[2]
            local new = ARGV[10]
            if old or new then redis.call('ZCARD', KEYS[4]) end
            local t = redis.call('TIME')
            local updated = t[1] .. string.sub(string.format('%06d', tonumber(t[2])), 1, 3)
            if ARGV[1] == 'w' then
              redis.call('ZADD', KEYS[2], 0, ARGV[4])
              local depth = tonumber(ARGV[8])
              if depth > 0 then
                local prev = redis.call('HMGET', KEYS[1], 'payload', 'schema', 'updated')
                if prev[1] then
                  redis.call('LPUSH', KEYS[3], stored .. ':' .. prev[2] .. ':' .. prev[3] .. ':' .. prev[1])
                  redis.call('LTRIM', KEYS[3], 0, depth - 1)
                end
              else
                redis.call('DEL', KEYS[3])
              end
              if old and old ~= new then redis.call('ZREM', KEYS[4], old .. ARGV[5] .. ':' .. ARGV[4]) end
              if new then
                if old ~= new then redis.call('ZADD', KEYS[4], 0, new .. ARGV[5] .. ':' .. ARGV[4]) end
                redis.call('HSET', KEYS[1], 'version', ARGV[3], 'schema', ARGV[6], 'payload', ARGV[7],
                  'updated', updated, 'reminders', ARGV[9], 'remindAt', new)
              else
                redis.call('HSET', KEYS[1], 'version', ARGV[3], 'schema', ARGV[6], 'payload', ARGV[7],
                  'updated', updated)
                if old then redis.call('HDEL', KEYS[1], 'reminders', 'remindAt') end
              end
            else
              redis.call('DEL', KEYS[3])
              redis.call('ZREM', KEYS[2], ARGV[4])
              if old then redis.call('ZREM', KEYS[4], old .. ARGV[5] .. ':' .. ARGV[4]) end
              redis.call('HSET', KEYS[1], 'version', ARGV[3], 'updated', updated)
              redis.call('HDEL', KEYS[1], 'schema', 'payload', 'reminders', 'remindAt')
            end
            return tonumber(ARGV[3])
            """;

    private static final byte[] SCRIPT_BYTES = CAS_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final String SCRIPT_SHA = sha1Hex(SCRIPT_BYTES);
    private static final byte[] OP_WRITE = ascii("w");
    private static final byte[] OP_TOMBSTONE = ascii("d");
    private static final byte[][] FIELDS = {ascii("version"), ascii("schema"), ascii("payload"), ascii("updated"),
            ascii("reminders"), ascii("remindAt")};

    private final RedisOptions options;
    private final RedisClient client;
    private final boolean ownsClient;
    private final String endpoint;
    private final byte[] recordPrefix;
    private final byte[] indexPrefix;
    private final byte[] dueKey;
    private final StatefulRedisConnection<byte[], byte[]> reader;
    private final List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>();
    private final BlockingQueue<StatefulRedisConnection<byte[], byte[]>> idleWriters;
    private final GroupCommit<PreparedWrite, Long> commits;
    /** Every operation passes it; close shuts it first, so that no call races the group commit's shutdown. */
    private final CloseGate gate;

    /** One write with its Redis keys and script arguments, prepared on the caller's thread. */
    private record PreparedWrite(ServerId id, long expectedVersion, byte[][] keys, byte[][] args) {
        long newVersion() {
            return expectedVersion + 1;
        }
    }

    private RedisStorage(RedisClient client, RedisURI uri, boolean ownsClient, RedisOptions options) {
        this.options = options;
        this.client = client;
        this.ownsClient = ownsClient;
        this.endpoint = describe(uri);
        this.gate = new CloseGate("Redis store at " + endpoint);
        this.recordPrefix = ascii(options.namespace() + ":s:");
        this.indexPrefix = ascii(options.namespace() + ":i:");
        this.dueKey = ascii(options.namespace() + ":r");
        this.idleWriters = new ArrayBlockingQueue<>(options.writers());
        try {
            reader = connect(uri);
            for (int i = 0; i < options.writers(); i++) {
                StatefulRedisConnection<byte[], byte[]> writer = connect(uri);
                writer.setAutoFlushCommands(false);
                idleWriters.add(writer);
            }
            String loaded = await(null, "loading the compare-and-set script", reader.async().scriptLoad(SCRIPT_BYTES),
                    deadline());
            if (!SCRIPT_SHA.equalsIgnoreCase(loaded)) {
                throw new StorageException("Redis at " + endpoint + " returned an unexpected script digest", null);
            }
        } catch (RuntimeException e) {
            releaseConnections();
            throw e;
        }
        this.commits = new GroupCommit<>("redis", options.writers(), options.maxBatch(), options.maxWait(),
                this::writeBatch);
    }

    /**
     * Opens a store on {@code redisUri} with {@linkplain RedisOptions#defaults() default options}.
     *
     * @see #open(String, RedisOptions)
     */
    public static RedisStorage open(String redisUri) {
        return open(redisUri, RedisOptions.defaults());
    }

    /**
     * Opens a store on {@code redisUri} (e.g. {@code redis://127.0.0.1:6379/0}, {@code rediss://...},
     * {@code redis-sentinel://...}) with a client of its own, which {@link #close()} shuts down. The client
     * rejects commands while disconnected, reconnects on its own, times commands out after
     * {@link RedisOptions#commandTimeout()} and names its connections {@code pgs-<namespace>} (unless the URI
     * names them). Connects, and loads the script, before returning.
     *
     * @throws IllegalArgumentException if {@code redisUri} is malformed (the message does not repeat it)
     * @throws StorageException         if Redis cannot be reached or refuses the connection
     */
    public static RedisStorage open(String redisUri, RedisOptions options) {
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(options, "options");
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            // The parser's message may echo the URI, and with it a password: say less.
            throw new IllegalArgumentException("malformed Redis URI (expected redis://host:port/db)");
        }
        uri.setTimeout(options.commandTimeout());
        if (uri.getClientName() == null) {
            uri.setClientName("pgs-" + options.namespace()); // tells operators whose connections these are
        }
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).build())
                .build());
        try {
            return new RedisStorage(client, uri, true, options);
        } catch (RuntimeException e) {
            shutdown(client);
            throw e;
        }
    }

    /**
     * Opens a store on {@code uri} through a client the caller manages: the store opens its own connections
     * (one for reads, one per writer) and closes them on {@link #close()}, but never shuts the client down.
     * The client's options (timeouts, reconnect, disconnected behaviour) apply; every wait is still bounded by
     * {@link RedisOptions#commandTimeout()}.
     *
     * @throws StorageException if Redis cannot be reached or refuses the connection
     */
    public static RedisStorage open(RedisClient client, RedisURI uri, RedisOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        return new RedisStorage(client, uri, false, options);
    }

    /** {@inheritDoc} Here: history and reminders. */
    @Override
    public Set<StorageCapability> capabilities() {
        return EnumSet.allOf(StorageCapability.class);
    }

    @Override
    public void observe(StoreObserver observer) {
        commits.observe(observer);
    }

    /** The options this store was opened with. */
    public RedisOptions options() {
        return options;
    }

    @Override
    public StoredState load(ServerId id) {
        byte[] key = recordKey(StoreChecks.id(id));
        gate.enter();
        try {
            return decode(id, await(id, "load", reader.async().hmget(key, FIELDS), deadline()));
        } finally {
            gate.exit();
        }
    }

    @Override
    public List<StoredState> history(ServerId id) {
        byte[] key = historyKey(StoreChecks.id(id), StoreChecks.keyBytes(id.key()));
        gate.enter();
        try {
            List<byte[]> entries = await(id, "history", reader.async().lrange(key, 0, -1), deadline());
            List<StoredState> out = new ArrayList<>(entries.size());
            for (byte[] e : entries) {
                out.add(decodeHistoryEntry(id, e));
            }
            return out;
        } finally {
            gate.exit();
        }
    }

    /** Parses 'version:schema:updated:' + payload bytes. */
    private static StoredState decodeHistoryEntry(ServerId id, byte[] e) {
        int[] colons = new int[3];
        int found = 0;
        for (int i = 0; i < e.length && found < 3; i++) {
            if (e[i] == ':') {
                colons[found++] = i;
            }
        }
        if (found < 3) {
            throw new CorruptRecordException(id, "history entry", "lacks its version, schema or time");
        }
        long version = StoredRows.decimal(id, "history version", Arrays.copyOfRange(e, 0, colons[0]));
        int schema = StoredRows.decimalInt(id, "history schema", Arrays.copyOfRange(e, colons[0] + 1, colons[1]));
        long updated = StoredRows.decimal(id, "history time", Arrays.copyOfRange(e, colons[1] + 1, colons[2]));
        return StoredRows.historyEntry(id, version, schema, Arrays.copyOfRange(e, colons[2] + 1, e.length), updated);
    }

    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        Objects.requireNonNull(ids, "ids");
        Map<ServerId, byte[]> keys = new LinkedHashMap<>();
        for (ServerId id : ids) {
            keys.put(StoreChecks.id(id), recordKey(id));
        }
        gate.enter();
        try {
            RedisAsyncCommands<byte[], byte[]> async = reader.async();
            Map<ServerId, RedisFuture<List<KeyValue<byte[], byte[]>>>> pending = new LinkedHashMap<>();
            for (Map.Entry<ServerId, byte[]> e : keys.entrySet()) {
                pending.put(e.getKey(), async.hmget(e.getValue(), FIELDS));
            }
            long deadline = deadline();
            Map<ServerId, StoredState> out = new LinkedHashMap<>();
            for (Map.Entry<ServerId, RedisFuture<List<KeyValue<byte[], byte[]>>>> e : pending.entrySet()) {
                out.put(e.getKey(), decode(e.getKey(), await(e.getKey(), "load", e.getValue(), deadline)));
            }
            return out;
        } finally {
            gate.exit();
        }
    }

    @Override
    public long save(StateWrite write) {
        ServerId id = StoreChecks.write(write).id();
        byte[] member = StoreChecks.keyBytes(id.key());
        byte[][] keys = {recordKey(id, member), indexKey(id.type()), historyKey(id, member), dueKey};
        byte[][] args = write.hasReminders()
                ? new byte[][] {OP_WRITE, decimal(write.expectedVersion()), decimal(write.newVersion()), member,
                        ascii(id.type()), decimal(write.schemaVersion()), write.payload(),
                        decimal(write.historyDepth()), write.reminders(), bigEndian(write.remindAtMillis())}
                : new byte[][] {OP_WRITE, decimal(write.expectedVersion()), decimal(write.newVersion()), member,
                        ascii(id.type()), decimal(write.schemaVersion()), write.payload(),
                        decimal(write.historyDepth())};
        return submit(new PreparedWrite(id, write.expectedVersion(), keys, args));
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        StoreChecks.expectedVersion(expectedVersion);
        byte[] member = StoreChecks.keyBytes(StoreChecks.id(id).key());
        byte[][] keys = {recordKey(id, member), indexKey(id.type()), historyKey(id, member), dueKey};
        byte[][] args = {OP_TOMBSTONE, decimal(expectedVersion), decimal(expectedVersion + 1), member,
                ascii(id.type())};
        return submit(new PreparedWrite(id, expectedVersion, keys, args));
    }

    /**
     * {@inheritDoc} Here: one {@code ZRANGEBYLEX} of the namespace's reminder set; servers due at the same instant
     * come in the byte order of {@code type:key}. A page's cursor is the last member read, used as an exclusive
     * lower bound; a {@link DueCursor#startingAt} cursor's 8 bytes are a prefix of every member due at that instant
     * or later, so the same bound starts there.
     */
    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        DuePageBuilder page = new DuePageBuilder(limit);
        gate.enter();
        try {
            if (notAfterMillis < 1) {
                return page.build(); // every remindAt is at least 1
            }
            Range.Boundary<byte[]> lower = after == null ? Range.Boundary.unbounded()
                    : Range.Boundary.excluding(after.bytes());
            Range.Boundary<byte[]> upper = notAfterMillis == Long.MAX_VALUE ? Range.Boundary.unbounded()
                    : Range.Boundary.excluding(bigEndian(notAfterMillis + 1));
            List<byte[]> members = await(null, "due", reader.async().zrangebylex(dueKey, Range.from(lower, upper),
                    Limit.create(0, page.fetchSize())), deadline());
            for (byte[] m : members) {
                if (!offerDueMember(page, m)) {
                    break;
                }
            }
            return page.build();
        } finally {
            gate.exit();
        }
    }

    /** Splits a member into due time, type and key; a member without that shape is reported, not parsed. */
    private static boolean offerDueMember(DuePageBuilder page, byte[] m) {
        DueCursor at = DueCursor.of(m);
        int colon = -1;
        for (int i = 8; i < m.length; i++) {
            if (m[i] == ':') {
                colon = i; // type names hold no ':', so the first one after the time ends the type
                break;
            }
        }
        if (colon < 0) {
            return page.addUnusable("reminder entry of " + m.length + " bytes has no type separator", at);
        }
        return page.add(fromBigEndian(m), Arrays.copyOfRange(m, 8, colon), Arrays.copyOfRange(m, colon + 1, m.length),
                at);
    }

    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        KeyPageBuilder page = new KeyPageBuilder(limit);
        boolean valid = StoreChecks.type(type);
        gate.enter();
        try {
            if (!valid) {
                return page.build(); // no server can have such a type
            }
            Range<byte[]> range = after == null ? Range.unbounded()
                    : Range.from(Range.Boundary.excluding(after.bytes()), Range.Boundary.unbounded());
            List<byte[]> members = await(null, "list",
                    reader.async().zrangebylex(indexKey(type), range, Limit.create(0, page.fetchSize())), deadline());
            for (byte[] member : members) {
                if (!page.add(member)) {
                    break;
                }
            }
            return page.build();
        } finally {
            gate.exit();
        }
    }

    /**
     * Writes what is already queued, then closes the store's connections and, if the store created its
     * client, shuts the client down. Every later call throws {@link StorageException}. Idempotent.
     */
    @Override
    public void close() {
        if (!gate.close()) {
            return;
        }
        commits.close();
        releaseConnections();
        if (ownsClient) {
            shutdown(client);
        }
    }

    // ---- writes ----------------------------------------------------------------------------------------------

    private long submit(PreparedWrite write) {
        return gate.call(() -> commits.submit(write));
    }

    /** The group commit's handler: one pipeline on one write connection for the whole batch. */
    private void writeBatch(List<GroupCommit.Entry<PreparedWrite, Long>> batch) throws InterruptedException {
        StatefulRedisConnection<byte[], byte[]> connection = idleWriters.take();
        try {
            List<GroupCommit.Entry<PreparedWrite, Long>> written = new ArrayList<>(batch.size());
            List<GroupCommit.Entry<PreparedWrite, Long>> notCached = pipeline(connection, batch, false, written);
            if (!notCached.isEmpty()) {
                pipeline(connection, notCached, true, written); // with the script's text: no NOSCRIPT this time
            }
            if (options.minReplicas() > 0 && !written.isEmpty()) {
                awaitReplicas(connection, written);
            }
            for (GroupCommit.Entry<PreparedWrite, Long> e : written) {
                e.succeed(e.item().newVersion());
            }
        } finally {
            idleWriters.add(connection);
        }
    }

    /**
     * Sends the scripts of {@code entries} in one flush and sorts the replies: successes complete their entry
     * at once, or, when replicas must acknowledge, go to {@code written} to be completed after the wait;
     * conflicts and errors complete their entry; entries the server answered with {@code NOSCRIPT} are
     * returned for a retry with {@code EVAL}.
     */
    private List<GroupCommit.Entry<PreparedWrite, Long>> pipeline(StatefulRedisConnection<byte[], byte[]> connection,
            List<GroupCommit.Entry<PreparedWrite, Long>> entries, boolean sendBody,
            List<GroupCommit.Entry<PreparedWrite, Long>> written) {
        RedisAsyncCommands<byte[], byte[]> async = connection.async();
        List<RedisFuture<Long>> replies = new ArrayList<>(entries.size());
        try {
            for (GroupCommit.Entry<PreparedWrite, Long> e : entries) {
                PreparedWrite w = e.item();
                replies.add(sendBody
                        ? async.eval(SCRIPT_BYTES, ScriptOutputType.INTEGER, w.keys(), w.args())
                        : async.evalsha(SCRIPT_SHA, ScriptOutputType.INTEGER, w.keys(), w.args()));
            }
        } catch (RuntimeException e) {
            // Lettuce refused to queue a command (e.g. the connection is closed). Commands queued before it are
            // still flushed below, so every entry's outcome is unknown.
            for (GroupCommit.Entry<PreparedWrite, Long> entry : entries) {
                entry.fail(failure(entry.item().id(), "write", e));
            }
            return List.of();
        } finally {
            connection.flushCommands(); // also on failure: queued commands must not linger into the next batch
        }
        long deadline = deadline();
        List<GroupCommit.Entry<PreparedWrite, Long>> notCached = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            GroupCommit.Entry<PreparedWrite, Long> e = entries.get(i);
            PreparedWrite w = e.item();
            long reply;
            try {
                reply = replies.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof RedisNoScriptException && !sendBody) {
                    notCached.add(e);
                } else {
                    e.fail(failure(w.id(), "write", ex));
                }
                continue;
            } catch (TimeoutException ex) {
                e.fail(failure(w.id(), "write", ex));
                continue;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                e.fail(new StorageException(w.id(), "interrupted while writing to Redis (outcome unknown)", ex));
                continue;
            }
            if (reply == w.newVersion()) {
                if (options.minReplicas() == 0) {
                    e.succeed(reply); // release the caller now rather than after the whole pipeline
                } else {
                    written.add(e);
                }
            } else if (reply < 0) {
                e.fail(new VersionConflictException(w.id(), w.expectedVersion(), -1 - reply));
            } else {
                e.fail(new StorageException(w.id(), "Redis at " + endpoint + " answered the write with version "
                        + reply + " instead of " + w.newVersion(), null));
            }
        }
        return notCached;
    }

    /** {@code WAIT}: fails every write of the batch (outcome unknown) if too few replicas acknowledged it. */
    private void awaitReplicas(StatefulRedisConnection<byte[], byte[]> connection,
            List<GroupCommit.Entry<PreparedWrite, Long>> written) {
        RedisFuture<Long> acked = connection.async().waitForReplication(options.minReplicas(),
                options.replicaTimeout().toMillis());
        connection.flushCommands();
        RuntimeException failure = null;
        try {
            long replicas = await(null, "waiting for replicas", acked, deadline());
            if (replicas < options.minReplicas()) {
                failure = new StorageException("written on the Redis primary at " + endpoint
                        + " but acknowledged by " + replicas + " of " + options.minReplicas() + " replicas within "
                        + options.replicaTimeout() + " (outcome unknown)", null);
            }
        } catch (StorageException e) {
            failure = e;
        }
        if (failure != null) {
            for (GroupCommit.Entry<PreparedWrite, Long> e : written) {
                e.fail(new StorageException(e.item().id(), failure.getMessage(), failure.getCause()));
            }
            written.clear();
        }
    }

    // ---- keys, values, errors --------------------------------------------------------------------------------

    private byte[] recordKey(ServerId id) {
        return recordKey(id, StoreChecks.keyBytes(id.key()));
    }

    private byte[] recordKey(ServerId id, byte[] key) {
        byte[] type = ascii(id.type());
        byte[] out = new byte[recordPrefix.length + type.length + 1 + key.length];
        System.arraycopy(recordPrefix, 0, out, 0, recordPrefix.length);
        System.arraycopy(type, 0, out, recordPrefix.length, type.length);
        out[recordPrefix.length + type.length] = ':';
        System.arraycopy(key, 0, out, recordPrefix.length + type.length + 1, key.length);
        return out;
    }

    /** The history list sits beside the record, under the same unambiguous type:key layout. */
    private byte[] historyKey(ServerId id, byte[] key) {
        byte[] record = recordKey(id, key);
        byte[] out = record.clone();
        // the record prefix ends in ":s:"; the history prefix is the same with 'h'
        out[recordPrefix.length - 2] = 'h';
        return out;
    }

    private byte[] indexKey(String type) {
        byte[] t = ascii(type);
        byte[] out = new byte[indexPrefix.length + t.length];
        System.arraycopy(indexPrefix, 0, out, 0, indexPrefix.length);
        System.arraycopy(t, 0, out, indexPrefix.length, t.length);
        return out;
    }

    private StoredState decode(ServerId id, List<KeyValue<byte[], byte[]>> fields) {
        byte[] version = value(fields, 0);
        if (version == null) {
            return StoredState.ABSENT;
        }
        byte[] payload = value(fields, 2);
        byte[] schema = value(fields, 1);
        byte[] updated = value(fields, 3);
        byte[] remindAt = value(fields, 5);
        if (remindAt != null && remindAt.length != 8) {
            throw new CorruptRecordException(id, "remindAt", "is not 8 bytes");
        }
        return StoredRows.state(id, StoredRows.decimal(id, "version", version),
                payload == null || schema == null ? 0 : StoredRows.decimalInt(id, "schema", schema), payload,
                updated == null ? 0 : StoredRows.decimal(id, "updated", updated), value(fields, 4),
                remindAt == null ? 0 : fromBigEndian(remindAt));
    }

    private static byte[] value(List<KeyValue<byte[], byte[]>> fields, int i) {
        KeyValue<byte[], byte[]> kv = fields.get(i);
        return kv.hasValue() ? kv.getValue() : null;
    }

    private <T> T await(ServerId id, String what, RedisFuture<T> future, long deadline) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw failure(id, what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(id, what + ": interrupted while waiting for Redis", e);
        }
    }

    /** A typed failure naming the endpoint; Lettuce's messages carry host and port, never the password. */
    private StorageException failure(ServerId id, String what, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message;
        if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
            message = what + ": Redis at " + endpoint + " did not answer within " + options.commandTimeout()
                    + (what.equals("write") ? " (outcome unknown)" : "");
        } else if (cause instanceof RedisCommandExecutionException) {
            message = what + ": Redis at " + endpoint + " answered with an error: " + cause.getMessage();
        } else {
            message = what + ": Redis at " + endpoint + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")")
                    + (what.equals("write") ? "; outcome unknown" : "");
        }
        return new StorageException(id, message, cause);
    }

    private StatefulRedisConnection<byte[], byte[]> connect(RedisURI uri) {
        try {
            StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE, uri);
            connections.add(c);
            return c;
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to Redis at " + endpoint + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private void releaseConnections() {
        for (StatefulRedisConnection<byte[], byte[]> c : connections) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // Closing is best effort; the socket goes away with the client at the latest.
            }
        }
        connections.clear();
    }

    private static void shutdown(RedisClient client) {
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException ignored) {
            // Best effort: the event loops are daemon threads.
        }
    }

    private long deadline() {
        return System.nanoTime() + options.commandTimeout().toNanos();
    }

    private static String describe(RedisURI uri) {
        if (uri.getSocket() != null) {
            return "unix:" + uri.getSocket();
        }
        if (!uri.getSentinels().isEmpty()) {
            return "sentinel master '" + uri.getSentinelMasterId() + "'";
        }
        return uri.getHost() + ":" + uri.getPort();
    }

    private static byte[] bigEndian(long n) {
        byte[] out = new byte[8];
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) n;
            n >>>= 8;
        }
        return out;
    }

    /** The long in the first 8 bytes of {@code b}, big-endian. */
    private static long fromBigEndian(byte[] b) {
        long n = 0;
        for (int i = 0; i < 8; i++) {
            n = (n << 8) | (b[i] & 0xFF);
        }
        return n;
    }

    private static byte[] decimal(long n) {
        return ascii(Long.toString(n));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha1Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
