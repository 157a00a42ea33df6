package io.github.pgs.spi;

import io.github.pgs.CodecException;

import java.lang.reflect.Type;

/**
 * Encodes states (and, for non-trivial argument types, init arguments) to bytes and back.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Deterministic: equal values encode to equal bytes (the runtime compares bytes to skip unchanged
 *       writes).</li>
 *   <li>{@link io.github.pgs.ServerRef}s inside values round-trip; on decode they are resolved through the
 *       given {@link RefResolver}.</li>
 *   <li>Never reads type information from the data: the target type is always the given {@code type}. Never
 *       uses Java serialization.</li>
 *   <li>Failures are thrown as {@link CodecException}. Thread-safe.</li>
 * </ul>
 */
public interface StateCodec {

    /** A short name for messages and metadata, e.g. {@code "json"}. */
    String name();

    /** Encodes {@code value}, declared as {@code type}. */
    byte[] encode(Object value, Type type);

    /** Decodes {@code bytes} as {@code type}, resolving refs through {@code refs}. */
    Object decode(byte[] bytes, Type type, RefResolver refs);

    /**
     * Whether the encoding is text (UTF-8), so that encoded init arguments can serve as keys. Binary codecs
     * return {@code false}; types with non-trivial arguments then need an explicit
     * {@link io.github.pgs.ArgsKey}.
     */
    default boolean isText() {
        return false;
    }
}
