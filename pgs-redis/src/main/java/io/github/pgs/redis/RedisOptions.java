package io.github.pgs.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a {@link RedisStorage}. Immutable; build with {@link #builder()}, start from
 * {@link #defaults()}, or copy and change with {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>Setting</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code namespace}</td><td>{@value #DEFAULT_NAMESPACE}</td>
 *       <td>Prefix of every Redis key the store uses ({@code [A-Za-z0-9_.$-]{1,64}}). Stores with different
 *       namespaces never share a key, so several applications (or test runs) can use one Redis database.</td></tr>
 *   <tr><td>{@code maxBatch}</td><td>{@value #DEFAULT_MAX_BATCH}</td>
 *       <td>At most this many writes are pipelined in one group-commit batch.</td></tr>
 *   <tr><td>{@code maxWait}</td><td>zero</td>
 *       <td>How long a writer lingers for a fuller batch; zero never waits (a lone write goes out at once).</td></tr>
 *   <tr><td>{@code writers}</td><td>{@value #DEFAULT_WRITERS}</td>
 *       <td>Writer threads, each with its own connection and at most one batch in flight.</td></tr>
 *   <tr><td>{@code commandTimeout}</td><td>5 s</td>
 *       <td>How long any operation waits for Redis before failing with a {@code StorageException}.</td></tr>
 *   <tr><td>{@code minReplicas}</td><td>0</td>
 *       <td>When &gt; 0, every batch is followed by {@code WAIT minReplicas replicaTimeout}; writes that fewer
 *       replicas acknowledged fail with a {@code StorageException} (outcome unknown: the primary has them).</td></tr>
 *   <tr><td>{@code replicaTimeout}</td><td>1 s</td>
 *       <td>The {@code WAIT} timeout; must be shorter than {@code commandTimeout}.</td></tr>
 * </table>
 *
 * @param namespace      prefix of every key the store uses
 * @param maxBatch       the largest pipelined batch (&ge; 1)
 * @param maxWait        how long a writer lingers for a fuller batch (&ge; 0)
 * @param writers        writer threads and write connections (&ge; 1)
 * @param commandTimeout the bound on every wait for Redis (&gt; 0)
 * @param minReplicas    replicas that must acknowledge each batch (&ge; 0; 0 disables {@code WAIT})
 * @param replicaTimeout the {@code WAIT} timeout (&gt; 0 and &lt; {@code commandTimeout})
 */
public record RedisOptions(String namespace, int maxBatch, Duration maxWait, int writers, Duration commandTimeout,
                           int minReplicas, Duration replicaTimeout) {

    /** The default namespace. */
    public static final String DEFAULT_NAMESPACE = "pgs";
    /** The default largest batch. */
    public static final int DEFAULT_MAX_BATCH = 128;
    /** The default number of writer threads (and write connections). */
    public static final int DEFAULT_WRITERS = 1;
    /** The default bound on every wait for Redis. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** The default {@code WAIT} timeout (used only when {@code minReplicas > 0}). */
    public static final Duration DEFAULT_REPLICA_TIMEOUT = Duration.ofSeconds(1);

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.$-]{1,64}");

    /**
     * Validates every setting.
     *
     * @throws IllegalArgumentException if a setting is out of range
     * @throws NullPointerException     if a setting is {@code null}
     */
    public RedisOptions {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(replicaTimeout, "replicaTimeout");
        if (!NAMESPACE.matcher(namespace).matches()) {
            // ':' separates the parts of every key; allowing it would let two namespaces share keys.
            throw new IllegalArgumentException("namespace must match [A-Za-z0-9_.$-]{1,64}: '" + namespace + "'");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be >= 0: " + maxWait);
        }
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be >= 1: " + writers);
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be > 0: " + commandTimeout);
        }
        if (minReplicas < 0) {
            throw new IllegalArgumentException("minReplicas must be >= 0: " + minReplicas);
        }
        if (replicaTimeout.isNegative() || replicaTimeout.isZero() || replicaTimeout.toMillis() < 1) {
            // WAIT with timeout 0 blocks forever; refuse it.
            throw new IllegalArgumentException("replicaTimeout must be >= 1 ms: " + replicaTimeout);
        }
        if (minReplicas > 0 && replicaTimeout.compareTo(commandTimeout) >= 0) {
            throw new IllegalArgumentException("replicaTimeout (" + replicaTimeout
                    + ") must be shorter than commandTimeout (" + commandTimeout + ")");
        }
    }

    /** The defaults listed in the class comment. */
    public static RedisOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder()
                .namespace(namespace)
                .maxBatch(maxBatch)
                .maxWait(maxWait)
                .writers(writers)
                .commandTimeout(commandTimeout)
                .replicaAcknowledgements(minReplicas, replicaTimeout);
    }

    /** Builds {@link RedisOptions}; values are checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private String namespace = DEFAULT_NAMESPACE;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration maxWait = Duration.ZERO;
        private int writers = DEFAULT_WRITERS;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int minReplicas;
        private Duration replicaTimeout = DEFAULT_REPLICA_TIMEOUT;

        private Builder() {
        }

        /** Prefix of every key ({@code [A-Za-z0-9_.$-]{1,64}}); default {@value RedisOptions#DEFAULT_NAMESPACE}. */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** The largest pipelined batch (&ge; 1); default {@value RedisOptions#DEFAULT_MAX_BATCH}. */
        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** How long a writer lingers for a fuller batch (&ge; 0); default zero. */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        /** Writer threads and write connections (&ge; 1); default {@value RedisOptions#DEFAULT_WRITERS}. */
        public Builder writers(int writers) {
            this.writers = writers;
            return this;
        }

        /** The bound on every wait for Redis (&gt; 0); default 5 s. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        /**
         * Makes every batch wait until {@code minReplicas} replicas acknowledged it ({@code WAIT}), at most
         * {@code timeout}; 0 replicas (the default) disables the wait.
         */
        public Builder replicaAcknowledgements(int minReplicas, Duration timeout) {
            this.minReplicas = minReplicas;
            this.replicaTimeout = timeout;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException if a setting is out of range
         */
        public RedisOptions build() {
            return new RedisOptions(namespace, maxBatch, maxWait, writers, commandTimeout, minReplicas,
                    replicaTimeout);
        }
    }
}
