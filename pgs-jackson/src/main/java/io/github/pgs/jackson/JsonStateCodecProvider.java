package io.github.pgs.jackson;

import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateCodecProvider;

/**
 * Makes the {@link JsonStateCodec} the codec of runtimes built without one, when this module is on the class
 * path or module path. Found through {@link java.util.ServiceLoader}; priority {@code 0}, so any other provider
 * with a higher priority wins.
 */
public final class JsonStateCodecProvider implements StateCodecProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public JsonStateCodecProvider() {
    }

    /** A new {@link JsonStateCodec} with default settings. */
    @Override
    public StateCodec create() {
        return JsonStateCodec.create();
    }

    /** {@code 0}. */
    @Override
    public int priority() {
        return 0;
    }
}
