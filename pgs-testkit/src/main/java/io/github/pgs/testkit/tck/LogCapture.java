package io.github.pgs.testkit.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the library logs under {@code io.github.pgs} while it is open, when {@link System.Logger} goes to
 * {@code java.util.logging} (the JDK's default). With another logging back end installed it captures nothing, and
 * {@link #active()} says so: the kit then checks behaviour only, not how often it was reported.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private static final String PROBE = "pgs-testkit log capture probe";

    private final Logger logger = Logger.getLogger("io.github.pgs");
    private final List<String> lines = new ArrayList<>();
    private boolean active;

    private LogCapture() {
        setLevel(Level.ALL);
    }

    static LogCapture start() {
        LogCapture c = new LogCapture();
        c.logger.addHandler(c);
        System.getLogger("io.github.pgs").log(System.Logger.Level.WARNING, PROBE);
        return c;
    }

    /** Whether records reach this capture at all. */
    synchronized boolean active() {
        return active;
    }

    /** The messages captured so far (the probe left out). */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        String message = record.getMessage();
        if (PROBE.equals(message)) {
            active = true;
        } else if (message != null) {
            lines.add(message);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
