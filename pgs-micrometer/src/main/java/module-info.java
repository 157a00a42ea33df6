/**
 * Micrometer metrics and traces for PersistentGenServer runtimes: {@link io.github.pgs.micrometer.MicrometerObserver}
 * implements the core's observer seam. Only {@code io.github.pgs.micrometer} is exported.
 */
module io.github.pgs.micrometer {
    requires transitive io.github.pgs.core;
    requires transitive micrometer.core;
    requires transitive micrometer.observation;
    requires micrometer.commons;
    requires static micrometer.tracing;

    exports io.github.pgs.micrometer;
}
