package io.github.pgs.spi;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;

/**
 * Turns a server id read from stored data into a live {@link ServerRef} of the runtime that decodes it. Codecs
 * receive one with every decode; it never loads classes named by data (the id's type must be registered with
 * the runtime when the ref is used, not when it is decoded).
 */
@FunctionalInterface
public interface RefResolver {

    /** The ref for {@code id} in the decoding runtime. */
    ServerRef resolve(ServerId id);
}
