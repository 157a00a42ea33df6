package io.github.pgs.bench.peers.limits;

import java.nio.charset.StandardCharsets;

/**
 * Payloads for the big-state limits: for each key, the JSON text our S6 ledger of about {@code bytes} bytes
 * encodes to ({@code {"entries":[{"id":0,"label":"entry-000000-<key>","amount":0,"limit":1000000},...]}}), so that
 * the limit writes the same bytes, compressible the same way. Each write changes one field: the first entry's
 * amount, written as 19 fixed-width digits (the number of the write), so the payload's size never changes.
 *
 * <p>Thread-safe for writes to different keys; one key's buffer is rewritten in place by its writer.
 */
final class LedgerPayloads {

    private static final String AMOUNT = "\"amount\":";

    private final byte[][] payloads;
    private final int amountAt;

    LedgerPayloads(int keys, int bytes) {
        payloads = new byte[keys][];
        int at = -1;
        for (int k = 0; k < keys; k++) {
            payloads[k] = text(k, bytes).getBytes(StandardCharsets.UTF_8);
            if (k == 0) {
                at = new String(payloads[0], StandardCharsets.UTF_8).indexOf(AMOUNT) + AMOUNT.length();
            }
        }
        amountAt = at;
    }

    private static String text(int key, int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 128).append("{\"entries\":[");
        for (int i = 0; sb.length() < bytes - 2; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String amount = i == 0 ? "0".repeat(19) : "0";
            sb.append("{\"id\":").append(i).append(",\"label\":\"entry-").append("%06d".formatted(i)).append('-')
                    .append(key).append("\",\"amount\":").append(amount).append(",\"limit\":").append(1_000_000L + i)
                    .append('}');
        }
        return sb.append("]}").toString();
    }

    /** The payload of {@code key} for its write number {@code version} (the buffer is reused). */
    byte[] forWrite(int key, long version) {
        byte[] p = payloads[key];
        long v = version;
        for (int i = amountAt + 18; i >= amountAt; i--) {
            p[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return p;
    }

    /** The payload size of {@code key}. */
    int size(int key) {
        return payloads[key].length;
    }
}
