package io.github.pgs.spring.actuate;

import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the runtime: {@code UP} when its store answers a read, {@code DOWN} (with the failure's type) when the
 * read fails or the runtime has closed. The details report the store, the servers active now and the quarantines
 * since start, so a crash loop shows without making the application unhealthy (one bad server does not take the
 * others down, and neither should it take the application out of its load balancer).
 */
public class PgsHealthIndicator extends AbstractHealthIndicator {

    /** A key no server has; reading it exercises the store's connection and table. */
    static final ServerId PROBE = new ServerId("pgs.health", "probe");

    private final ServerRuntime runtime;

    public PgsHealthIndicator(ServerRuntime runtime) {
        super("PersistentGenServer health check failed");
        this.runtime = runtime;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        runtime.storage().load(PROBE);
        RuntimeStats s = runtime.stats();
        builder.up()
                .withDetail("store", runtime.storage().getClass().getSimpleName())
                .withDetail("runtime", runtime.name())
                .withDetail("active", s.active())
                .withDetail("quarantinesSinceStart", s.quarantines())
                .withDetail("crashesSinceStart", s.crashes())
                .withDetail("writeFailuresSinceStart", s.writeFailures());
    }
}
