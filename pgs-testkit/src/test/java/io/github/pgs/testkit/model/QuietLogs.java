package io.github.pgs.testkit.model;

import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Silences the runtime's logger while a model run provokes thousands of crashes and failed writes on purpose
 * (their warnings and stack traces would dominate the run's time), and restores it afterwards.
 */
final class QuietLogs {

    private QuietLogs() {
    }

    static <T> T quietly(Supplier<T> action) {
        Logger logger = Logger.getLogger("io.github.pgs");
        Level previous = logger.getLevel();
        logger.setLevel(Level.OFF);
        try {
            return action.get();
        } finally {
            logger.setLevel(previous);
        }
    }
}
