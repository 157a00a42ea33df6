package io.github.pgs.spring.actuate;

import io.github.pgs.ServerRuntime;
import io.github.pgs.admin.Admin;
import io.github.pgs.spring.PgsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicator {@code pgs} and the actuator endpoint {@code pgs}, when the actuator is present. */
@AutoConfiguration(after = PgsAutoConfiguration.class)
@ConditionalOnBean(ServerRuntime.class)
public class PgsActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("pgs")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "pgsHealthIndicator")
        PgsHealthIndicator pgsHealthIndicator(ServerRuntime runtime, Admin admin) {
            return new PgsHealthIndicator(runtime, admin);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    @ConditionalOnAvailableEndpoint(endpoint = PgsEndpoint.class)
    static class Endpoints {
        @Bean
        @ConditionalOnMissingBean(PgsEndpoint.class)
        @ConditionalOnProperty(prefix = "pgs.endpoint", name = "writes-enabled", havingValue = "false",
                matchIfMissing = true)
        PgsEndpoint pgsEndpoint(ServerRuntime runtime, Admin admin) {
            return new PgsEndpoint(runtime, admin);
        }

        @Bean
        @ConditionalOnMissingBean(PgsEndpoint.class)
        @ConditionalOnProperty(prefix = "pgs.endpoint", name = "writes-enabled", havingValue = "true")
        PgsWritableEndpoint pgsWritableEndpoint(ServerRuntime runtime, Admin admin) {
            return new PgsWritableEndpoint(runtime, admin);
        }
    }
}
