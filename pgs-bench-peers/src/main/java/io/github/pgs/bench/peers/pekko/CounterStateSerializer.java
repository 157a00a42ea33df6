package io.github.pgs.bench.peers.pekko;

import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;

/**
 * Pekko serializer of {@link CounterState}: the count as ASCII decimal text (not 8 raw bytes), so that the
 * harness can seed and check the {@code durable_state} table with plain SQL
 * ({@code convert_from(state_payload, 'UTF8')::bigint}). Identifier {@value #ID}, manifest {@value #MANIFEST}.
 */
public final class CounterStateSerializer extends SerializerWithStringManifest {

    /** The serializer id stored in {@code durable_state.state_serial_id}. */
    public static final int ID = 947301;
    /** The manifest stored in {@code durable_state.state_serial_manifest}. */
    public static final String MANIFEST = "C";

    @Override
    public int identifier() {
        return ID;
    }

    @Override
    public String manifest(Object o) {
        return MANIFEST;
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof CounterState s) {
            return Long.toString(s.count()).getBytes(StandardCharsets.US_ASCII);
        }
        throw new IllegalArgumentException("cannot serialize " + o.getClass());
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        if (MANIFEST.equals(manifest)) {
            return new CounterState(Long.parseLong(new String(bytes, StandardCharsets.US_ASCII)));
        }
        throw new NotSerializableException("unknown manifest " + manifest);
    }
}
