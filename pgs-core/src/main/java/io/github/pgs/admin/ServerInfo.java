package io.github.pgs.admin;

import io.github.pgs.Reminder;
import io.github.pgs.ServerId;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@link Admin#inspect} found about one stored server. The state is rendered without its class, by the
 * admin's {@link StateText}: as JSON (indented to a bounded depth, or compact) when the codec writes text and the
 * payload is JSON, as the text itself when it is other text, and as hexadecimal otherwise, cut at the
 * {@link StateText}'s size cap. Nothing is decoded into objects, so inspecting never runs user code and works for
 * types that are not on the class path.
 *
 * @param id               the server
 * @param status           active, petrified or quarantined in the admin's runtime, or just stored
 * @param version          the stored version
 * @param schemaVersion    the schema version the state was written with
 * @param updatedAt        when the store last wrote the state (the store's clock)
 * @param payloadBytes     the size of the encoded state
 * @param codec            the name of the admin's codec (e.g. {@code "json"})
 * @param format           how {@link #state()} is rendered
 * @param state            the rendered state; when {@code stateTruncated}, cut and followed by a line starting with
 *                         {@link StateText#TRUNCATION_MARKER} (a cut JSON rendering is no longer valid JSON)
 * @param stateTruncated   whether {@code state} was cut at the admin's {@link StateText#maxChars()}
 * @param historySupported whether the store keeps state history at all
 * @param history          the older states kept, most recent first (empty if none, or if unsupported)
 * @param reminders        the server's durable reminders as stored, earliest due first
 */
public record ServerInfo(ServerId id, ServerStatus status, long version, int schemaVersion, Instant updatedAt,
                         int payloadBytes, String codec, Format format, String state, boolean stateTruncated,
                         boolean historySupported, List<StoredVersion> history, List<Reminder> reminders) {

    /** How the state is rendered. */
    public enum Format {
        /**
         * JSON laid out by the admin's {@link StateText}: two spaces per level up to its indent depth, deeper
         * containers (or all, when compact) on one line without whitespace; every token, member order and number
         * text as stored.
         */
        JSON,
        /** The payload as UTF-8 text, unchanged. */
        TEXT,
        /** Lower-case hexadecimal, two digits per byte, no separators. */
        HEX
    }

    public ServerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(state, "state");
        history = List.copyOf(history);
        reminders = List.copyOf(reminders);
    }
}
