package io.github.pgs.redis;

import io.github.pgs.ServerId;
import io.github.pgs.testkit.tck.RawRows;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rows planted in a Redis store's namespace with plain commands, as another program could write them: the hash,
 * the type's index and the reminder set, in the store's layout, with any bytes as type and key.
 */
public final class RedisRawRows implements RawRows {

    private final String namespace;
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> connection;

    public RedisRawRows(String namespace) {
        this.namespace = namespace;
    }

    @Override
    public void write(byte[] type, byte[] key, byte[] payload, byte[] reminders, long remindAtMillis) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(ascii("version"), ascii("1"));
        fields.put(ascii("schema"), ascii("1"));
        fields.put(ascii("payload"), payload);
        fields.put(ascii("updated"), ascii(Long.toString(System.currentTimeMillis())));
        byte[] at = ByteBuffer.allocate(8).putLong(remindAtMillis).array();
        if (reminders != null) {
            fields.put(ascii("reminders"), reminders);
            fields.put(ascii("remindAt"), at);
        }
        run(redis -> {
            redis.hset(concat(ascii(namespace + ":s:"), type, ascii(":"), key), fields);
            redis.zadd(concat(ascii(namespace + ":i:"), type), 0, key);
            if (reminders != null) {
                redis.zadd(ascii(namespace + ":r"), 0, concat(at, type, ascii(":"), key));
            }
        });
    }

    @Override
    public void corruptVersion(ServerId id) {
        run(redis -> redis.hset(concat(ascii(namespace + ":s:" + id.type() + ":"),
                id.key().getBytes(StandardCharsets.UTF_8)), ascii("version"), ascii("seven")));
    }

    private void run(Consumer<RedisCommands<byte[], byte[]>> action) {
        if (connection == null) {
            client = RedisClient.create(RedisTestSupport.uri());
            connection = client.connect(ByteArrayCodec.INSTANCE);
        }
        action.accept(connection.sync());
    }

    @Override
    public void close() {
        if (client != null) {
            connection.close();
            client.shutdown();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
