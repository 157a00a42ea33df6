package io.github.pgs.spi;

/**
 * Found through {@link java.util.ServiceLoader}: supplies the codec used when a runtime is built without one.
 * The provider with the highest {@link #priority()} wins.
 */
public interface StateCodecProvider {

    /** A new codec. */
    StateCodec create();

    /** Higher wins; the JSON codec uses 0. */
    default int priority() {
        return 0;
    }
}
