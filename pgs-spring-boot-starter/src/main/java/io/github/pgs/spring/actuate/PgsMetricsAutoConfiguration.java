package io.github.pgs.spring.actuate;

import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.spring.PgsAutoConfiguration;
import io.github.pgs.spring.PgsProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The runtime's metrics and traces, when {@code io.github.pgs:pgs-micrometer} is on the class path and the
 * application has a {@link MeterRegistry} (the actuator makes one): a {@link MicrometerObserver} on the
 * application's registries, which {@link PgsAutoConfiguration} gives the runtime like every
 * {@link io.github.pgs.spi.RuntimeObserver} bean. With an {@link ObservationRegistry} (and
 * {@code pgs.metrics.observations}, the default) calls, turns and store operations are observations, so the
 * application's tracing turns them into spans; their timers come from Spring Boot's meter observation handler.
 * {@code pgs.metrics.enabled=false} turns it off.
 */
@AutoConfiguration(before = PgsAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass({MicrometerObserver.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(prefix = "pgs.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PgsProperties.class)
public class PgsMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(MicrometerObserver.class)
    public MicrometerObserver pgsMicrometerObserver(MeterRegistry meters, ObjectProvider<ObservationRegistry> observations,
                                                    PgsProperties properties) {
        ObservationRegistry o = properties.getMetrics().isObservations() ? observations.getIfUnique() : null;
        return o == null ? MicrometerObserver.of(meters) : MicrometerObserver.of(meters, o);
    }
}
