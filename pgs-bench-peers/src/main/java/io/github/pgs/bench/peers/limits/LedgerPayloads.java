package io.github.pgs.bench.peers.limits;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Payloads for the big-state limits: for each key, the JSON text our S6 ledger of about {@code bytes} bytes
 * encodes to ({@code {"entries":[{"id":0,"label":"entry-000000-<key>","amount":0,"limit":1000000},...]}}), so that
 * the limit writes the same bytes, laid out the same way. Each write changes one field of a random entry, as a
 * ledger's {@code Touch} does: that entry's one-digit amount goes to the next digit (mod 10), so the payload's size
 * never changes and one byte of it differs from the stored one.
 *
 * <p>Not thread-safe for one key; writers that own disjoint keys may share an instance. A key's buffer is rewritten
 * in place by its writer.
 */
final class LedgerPayloads {

    private static final String AMOUNT = "\"amount\":";

    private final byte[][] payloads;
    private final int[][] amountAt;

    LedgerPayloads(int keys, int bytes) {
        payloads = new byte[keys][];
        amountAt = new int[keys][];
        for (int k = 0; k < keys; k++) {
            payloads[k] = text(k, bytes).getBytes(StandardCharsets.UTF_8);
            amountAt[k] = offsets(payloads[k]);
        }
    }

    private static String text(int key, int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 128).append("{\"entries\":[");
        for (int i = 0; sb.length() < bytes - 2; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(i).append(",\"label\":\"entry-").append("%06d".formatted(i)).append('-')
                    .append(key).append("\",\"amount\":0,\"limit\":").append(1_000_000L + i).append('}');
        }
        return sb.append("]}").toString();
    }

    private static int[] offsets(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        int n = 0;
        for (int i = s.indexOf(AMOUNT); i >= 0; i = s.indexOf(AMOUNT, i + 1)) {
            n++;
        }
        int[] at = new int[n];
        int j = 0;
        for (int i = s.indexOf(AMOUNT); i >= 0; i = s.indexOf(AMOUNT, i + 1)) {
            at[j++] = i + AMOUNT.length();
        }
        return at;
    }

    /** The payload of {@code key} with one random entry's amount changed (the buffer is reused). */
    byte[] nextWrite(int key) {
        byte[] p = payloads[key];
        int[] at = amountAt[key];
        int i = at[ThreadLocalRandom.current().nextInt(at.length)];
        p[i] = (byte) (p[i] == '9' ? '0' : p[i] + 1);
        return p;
    }

    /** The payload size of {@code key}. */
    int size(int key) {
        return payloads[key].length;
    }
}
