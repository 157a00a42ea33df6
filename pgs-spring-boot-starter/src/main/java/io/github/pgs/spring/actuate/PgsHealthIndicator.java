package io.github.pgs.spring.actuate;

import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.QuarantineEntry;
import io.github.pgs.admin.QuarantinePage;
import io.github.pgs.spi.KeyCursor;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import java.util.ArrayList;
import java.util.List;

/**
 * Health of the runtime: {@code UP} when its store answers a read, {@code DOWN} (with the failure's type) when the
 * read fails or the runtime has closed. The details report the store, the servers active now, the quarantined
 * servers the store records (their number, up to {@value #LISTED} of their ids) and the crashes and write
 * failures since start, so a crash loop shows without making the application unhealthy (one bad server does not
 * take the others down, and neither should it take the application out of its load balancer).
 */
public class PgsHealthIndicator extends AbstractHealthIndicator {

    /** A key no server has; reading it exercises the store's connection and table. */
    static final ServerId PROBE = new ServerId("pgs.health", "probe");

    /** Quarantined servers named in the details; past it only the count grows (up to {@value #COUNTED}). */
    static final int LISTED = 10;
    static final int COUNTED = 1_000;

    private final ServerRuntime runtime;
    private final Admin admin;

    public PgsHealthIndicator(ServerRuntime runtime, Admin admin) {
        super("PersistentGenServer health check failed");
        this.runtime = runtime;
        this.admin = admin;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        runtime.storage().load(PROBE);
        RuntimeStats s = runtime.stats();
        List<String> quarantined = new ArrayList<>();
        int count = 0;
        types:
        for (ServerType<?, ?> t : runtime.types()) {
            KeyCursor after = null;
            do {
                QuarantinePage page = admin.quarantined(t.name(), after, COUNTED);
                for (QuarantineEntry e : page.entries()) {
                    if (count == COUNTED) {
                        break types;
                    }
                    count++;
                    if (quarantined.size() < LISTED) {
                        quarantined.add(e.id().toString());
                    }
                }
                after = page.next();
            } while (after != null);
        }
        builder.up()
                .withDetail("store", runtime.storage().getClass().getSimpleName())
                .withDetail("runtime", runtime.name())
                .withDetail("active", s.active())
                .withDetail("quarantined", count)
                .withDetail("quarantinedServers", quarantined)
                .withDetail("crashesSinceStart", s.crashes())
                .withDetail("writeFailuresSinceStart", s.writeFailures());
    }
}
