/**
 * The JSON state codec for PersistentGenServer, on Jackson 3: deterministic output, strict decoding, refs resolved
 * through the decoding runtime and no polymorphic type information ever read from stored data. Only
 * {@code io.github.pgs.jackson} is exported; {@code io.github.pgs.jackson.internal} is not.
 *
 * <p>State classes in named modules must open their packages to {@code tools.jackson.databind}, as for any use
 * of Jackson.
 */
module io.github.pgs.jackson {
    requires transitive io.github.pgs.core;
    requires transitive tools.jackson.databind;

    exports io.github.pgs.jackson;

    provides io.github.pgs.spi.StateCodecProvider with io.github.pgs.jackson.JsonStateCodecProvider;
}
