/**
 * Operator tooling: list, count, inspect and delete persisted servers, and expire state that has not been
 * written for a given time, either once ({@link io.github.pgs.admin.Admin#expire}) or periodically
 * ({@link io.github.pgs.admin.TtlSweeper}).
 *
 * <p>Everything here works on the {@link io.github.pgs.spi.Storage} SPI, so it applies to every store. Built from
 * a {@link io.github.pgs.ServerRuntime}, the tools also know which servers are active or quarantined in that
 * runtime and stop them before deleting their state; built from a bare store (the {@code pgs} command-line tool),
 * they see only what is stored.
 */
package io.github.pgs.admin;
