package io.github.pgs.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The counter application of the web tests (on its configuration class): auto-configuration, the counter behaviour
 * and its services. Its properties are in counters-app.properties.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({Services.class, Counter.class})
@interface CountersApp {
}
