/**
 * The storage conformance kit (TCK): {@link io.github.pgs.testkit.tck.StorageContract}, the JUnit suite that
 * every {@link io.github.pgs.spi.Storage} must pass, and {@link io.github.pgs.testkit.tck.StorageModelRunner},
 * the seeded model-based sequence runner it ends with.
 */
package io.github.pgs.testkit.tck;
