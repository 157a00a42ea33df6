package io.github.pgs.internal;

import io.github.pgs.spi.RuntimeObserver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An observer context written as text headers, for what leaves memory: a durable reminder's origin (stored with the
 * reminder) and, in a cluster, a message's envelope. Bounded on the way out and checked on the way in: at most
 * {@link RuntimeObserver#MAX_HEADERS} headers of at most {@link RuntimeObserver#MAX_HEADER_CHARS} characters (name
 * and value together), names not empty; anything beyond is dropped, never an error for the message it travels with.
 */
final class TraceHeaders {

    private TraceHeaders() {
    }

    /** The headers {@code observer} writes for {@code context}, bounded; {@code null} when it writes none. */
    static Map<String, String> inject(RuntimeObserver observer, Object context) {
        if (observer == null || context == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>(4);
        observer.inject(context, (name, value) -> {
            if (fits(name, value) && (headers.size() < RuntimeObserver.MAX_HEADERS || headers.containsKey(name))) {
                headers.put(name, value);
            }
        });
        return headers.isEmpty() ? null : Map.copyOf(headers);
    }

    /** Whether one header may be carried. */
    static boolean fits(String name, String value) {
        return name != null && value != null && !name.isEmpty()
                && name.length() + value.length() <= RuntimeObserver.MAX_HEADER_CHARS;
    }
}
