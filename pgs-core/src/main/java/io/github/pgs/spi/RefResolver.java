package io.github.pgs.spi;

import io.github.pgs.GenServer;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.RefTo;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerType;

/**
 * Turns a server id read from stored data into a live {@link ServerRef} of the runtime that decodes it, checked as
 * a ref made in code would be. Codecs receive one with every decode; it never loads classes named by data (the
 * id's type must be registered with the runtime when the ref is used, not when it is decoded).
 */
@FunctionalInterface
public interface RefResolver {

    /**
     * The ref for {@code id} in the decoding runtime.
     *
     * @throws KeyTooLongException if the key is longer than the runtime's {@code maxKeyBytes}, exactly as
     *                             {@code ServerRuntime.ref} refuses it
     */
    ServerRef resolve(ServerId id);

    /**
     * The type name under which the decoding runtime knows servers of {@code behaviour}: the name a ref to one of
     * them carries. Codecs compare it with the type of a stored ref whose field declares {@link RefTo}
     * {@code (behaviour)}, and refuse a ref of another type. The default is {@link ServerType#defaultName}; a
     * runtime answers with the name {@code behaviour} is registered under, if it is.
     */
    default String typeName(Class<? extends GenServer<?, ?>> behaviour) {
        return ServerType.defaultName(behaviour);
    }
}
