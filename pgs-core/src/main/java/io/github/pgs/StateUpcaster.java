package io.github.pgs;

/**
 * Turns a persisted state of one schema version into the next version, for a state class that changed.
 * Register one per old version on the {@link ServerType} ({@code upcaster(1, ...)} turns version 1 into 2, and
 * so on up to the type's {@link TypeOptions#schemaVersion()}).
 *
 * <p>Upcasters work on the codec's generic document form, so the old class need not exist any more: for the
 * JSON codec, objects are {@code Map<String, Object>}, arrays {@code List<Object>}, and scalars {@code String},
 * {@code Number}, {@code Boolean} or {@code null}. Return the new document (the argument may be modified and
 * returned). An upcast state is written back in the new version with the server's next write.
 */
@FunctionalInterface
public interface StateUpcaster {

    /** The document of version {@code n + 1}, from the document of version {@code n}. */
    Object upcast(Object document);
}
