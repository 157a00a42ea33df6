package io.github.pgs.micrometer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.pgs.spi.RuntimeObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/OBSERVABILITY.md says about logs: the core's System.Logger reaches Logback through
 * slf4j-jdk-platform-logging, under the logger name io.github.pgs, and a throwing observer is logged once at WARN
 * and then at DEBUG.
 */
class LoggingRouteTest {

    private final Logger pgs = (Logger) LoggerFactory.getLogger("io.github.pgs");
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @BeforeEach
    void attach() {
        seen.start();
        pgs.addAppender(seen);
    }

    @AfterEach
    void detach() {
        pgs.detachAppender(seen);
    }

    @Test
    void aThrowingObserver_isLoggedThroughSlf4jToLogback_onceAsWarning() {
        RuntimeObserver broken = RuntimeObserver.guarded(new RuntimeObserver() {
            @Override
            public void recovered(io.github.pgs.ServerId id) {
                throw new IllegalStateException("observer bug");
            }
        });
        broken.recovered(Workload.ROOM);
        broken.recovered(Workload.ROOM);

        assertThat(seen.list).hasSize(2);
        assertThat(seen.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(seen.list.get(0).getLoggerName()).isEqualTo("io.github.pgs");
        assertThat(seen.list.get(0).getFormattedMessage()).contains("threw from recovered");
        assertThat(seen.list.get(0).getThrowableProxy().getMessage()).isEqualTo("observer bug");
        assertThat(seen.list.get(1).getLevel()).isEqualTo(Level.DEBUG);
    }
}
