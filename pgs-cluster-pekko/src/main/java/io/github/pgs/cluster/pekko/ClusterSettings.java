package io.github.pgs.cluster.pekko;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How one node joins and takes part in the cluster: its address, the seed nodes, the split-brain resolver, the
 * failure detector and the placement of servers. Every node of one cluster must use the same
 * {@link #systemName()}, {@link #numberOfShards()} and {@link #entityTypeName()}; the rest may differ per node.
 *
 * <p>Immutable; build with {@link #builder()}. Every default is a named constant below and listed in the cluster
 * documentation. Times are {@link Duration}s; the builder refuses negative or zero times and out-of-range numbers
 * with {@link IllegalArgumentException}.
 *
 * @param systemName               the name shared by all nodes of the cluster (default {@link #DEFAULT_SYSTEM_NAME})
 * @param host                     the address other nodes reach this node at (default {@link #DEFAULT_HOST})
 * @param port                     the port (default {@link #DEFAULT_PORT}); {@code 0} picks a free port, useful only
 *                                 for a node no other node needs to find first
 * @param seedNodes                {@code host:port} of the nodes to join through; empty (the default) makes this
 *                                 node start a new cluster on its own
 * @param splitBrainStrategy       who survives a partition or crash (default {@link SplitBrainStrategy#KEEP_MAJORITY})
 * @param quorumSize               for {@link SplitBrainStrategy#STATIC_QUORUM}: the fewest nodes a side needs to stay
 *                                 (default 0: unset, required with that strategy)
 * @param stableAfter              how long membership must be stable before the split-brain resolver acts, i.e.
 *                                 the least time between a node becoming unreachable and its servers moving
 *                                 (default {@link #DEFAULT_STABLE_AFTER})
 * @param heartbeatInterval        how often nodes send heartbeats (default {@link #DEFAULT_HEARTBEAT_INTERVAL})
 * @param acceptableHeartbeatPause how long heartbeats may be missing before a node may be suspected (default
 *                                 {@link #DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE})
 * @param failureDetectorThreshold the phi accrual failure detector's threshold (default
 *                                 {@link #DEFAULT_FAILURE_DETECTOR_THRESHOLD})
 * @param numberOfShards           how many shards servers are hashed into; shards are the unit that moves between
 *                                 nodes (default {@link #DEFAULT_NUMBER_OF_SHARDS}); about ten times the largest
 *                                 number of nodes is a good value, and it must never change while any node runs
 * @param handOffTimeout           how long one shard may take to hand off (petrify its servers) before Pekko stops
 *                                 them anyway (default {@link #DEFAULT_HAND_OFF_TIMEOUT})
 * @param leaveTimeout             how long a graceful leave may take to hand off every shard of this node (default
 *                                 {@link #DEFAULT_LEAVE_TIMEOUT})
 * @param role                     when not empty, only nodes with this Pekko role host servers; others only call
 *                                 them (default empty: every node hosts)
 * @param entityTypeName           the name of the sharded entity type that holds all servers (default
 *                                 {@link #DEFAULT_ENTITY_TYPE_NAME})
 * @param joinTimeout              how long {@code PekkoCluster.join} waits for this node to become an {@code Up}
 *                                 member (default {@link #DEFAULT_JOIN_TIMEOUT})
 * @param pekkoConfig              extra Pekko configuration in HOCON, applied over this module's defaults (but
 *                                 never over the serialization settings, which stay fixed); default empty
 * @param localShortcut            whether a message for a server whose entity lives on this node is handed to the
 *                                 local runtime directly instead of through Pekko's shard region, when no earlier
 *                                 message of this node to that server is still on its way through Pekko (default
 *                                 {@code true}; {@code false} sends everything through Pekko)
 */
public record ClusterSettings(
        String systemName,
        String host,
        int port,
        List<String> seedNodes,
        SplitBrainStrategy splitBrainStrategy,
        int quorumSize,
        Duration stableAfter,
        Duration heartbeatInterval,
        Duration acceptableHeartbeatPause,
        double failureDetectorThreshold,
        int numberOfShards,
        Duration handOffTimeout,
        Duration leaveTimeout,
        String role,
        String entityTypeName,
        Duration joinTimeout,
        String pekkoConfig,
        boolean localShortcut) {

    /** {@code "pgs"}. */
    public static final String DEFAULT_SYSTEM_NAME = "pgs";
    /** {@code "127.0.0.1"}: loopback, so that a node is never reachable from outside unless told so. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** 25520, Pekko's default remoting port. */
    public static final int DEFAULT_PORT = 25520;
    /** 7 seconds, Pekko's recommendation for clusters of up to about ten nodes (Pekko's own default is 20 s). */
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(7);
    /** 1 second, Pekko's default. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** 3 seconds, Pekko's default. */
    public static final Duration DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE = Duration.ofSeconds(3);
    /** 8.0, Pekko's default. */
    public static final double DEFAULT_FAILURE_DETECTOR_THRESHOLD = 8.0;
    /** 1,000 shards, Pekko's default. */
    public static final int DEFAULT_NUMBER_OF_SHARDS = 1_000;
    /** 60 seconds, Pekko's default. */
    public static final Duration DEFAULT_HAND_OFF_TIMEOUT = Duration.ofSeconds(60);
    /** 30 seconds, the runtime's default shutdown timeout. */
    public static final Duration DEFAULT_LEAVE_TIMEOUT = Duration.ofSeconds(30);
    /** 60 seconds. */
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(60);
    /** {@code "pgs-server"}. */
    public static final String DEFAULT_ENTITY_TYPE_NAME = "pgs-server";

    // Before DEFAULTS: the static initializer validates DEFAULTS with them.
    private static final Pattern SYSTEM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
    private static final Pattern ENTITY_TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    /** The defaults: a single node on {@code 127.0.0.1:25520} starting its own cluster. */
    public static final ClusterSettings DEFAULTS = builder().build();

    public ClusterSettings {
        Objects.requireNonNull(systemName, "systemName");
        if (!SYSTEM_NAME.matcher(systemName).matches()) {
            throw new IllegalArgumentException("systemName must match " + SYSTEM_NAME + ": '" + systemName + "'");
        }
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        checkPort(port, "port");
        seedNodes = List.copyOf(Objects.requireNonNull(seedNodes, "seedNodes"));
        for (String seed : seedNodes) {
            parseSeed(seed);
        }
        Objects.requireNonNull(splitBrainStrategy, "splitBrainStrategy");
        if (quorumSize < 0) {
            throw new IllegalArgumentException("quorumSize must not be negative: " + quorumSize);
        }
        if (splitBrainStrategy == SplitBrainStrategy.STATIC_QUORUM && quorumSize < 1) {
            throw new IllegalArgumentException("STATIC_QUORUM needs a quorumSize >= 1");
        }
        positive(stableAfter, "stableAfter");
        positive(heartbeatInterval, "heartbeatInterval");
        positive(acceptableHeartbeatPause, "acceptableHeartbeatPause");
        if (!(failureDetectorThreshold > 0) || Double.isInfinite(failureDetectorThreshold)) {
            throw new IllegalArgumentException("failureDetectorThreshold must be a positive number: "
                    + failureDetectorThreshold);
        }
        if (numberOfShards < 1) {
            throw new IllegalArgumentException("numberOfShards must be >= 1: " + numberOfShards);
        }
        positive(handOffTimeout, "handOffTimeout");
        positive(leaveTimeout, "leaveTimeout");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(entityTypeName, "entityTypeName");
        if (!ENTITY_TYPE_NAME.matcher(entityTypeName).matches()) {
            throw new IllegalArgumentException("entityTypeName must match " + ENTITY_TYPE_NAME + ": '"
                    + entityTypeName + "'");
        }
        positive(joinTimeout, "joinTimeout");
        Objects.requireNonNull(pekkoConfig, "pekkoConfig");
        try {
            com.typesafe.config.ConfigFactory.parseString(pekkoConfig);
        } catch (com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException("pekkoConfig is not valid HOCON: " + e.getMessage(), e);
        }
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.systemName = systemName;
        b.host = host;
        b.port = port;
        b.seedNodes = new ArrayList<>(seedNodes);
        b.splitBrainStrategy = splitBrainStrategy;
        b.quorumSize = quorumSize;
        b.stableAfter = stableAfter;
        b.heartbeatInterval = heartbeatInterval;
        b.acceptableHeartbeatPause = acceptableHeartbeatPause;
        b.failureDetectorThreshold = failureDetectorThreshold;
        b.numberOfShards = numberOfShards;
        b.handOffTimeout = handOffTimeout;
        b.leaveTimeout = leaveTimeout;
        b.role = role;
        b.entityTypeName = entityTypeName;
        b.joinTimeout = joinTimeout;
        b.pekkoConfig = pekkoConfig;
        b.localShortcut = localShortcut;
        return b;
    }

    /**
     * Splits a {@code host:port} seed node address ({@code [v6-address]:port} for IPv6).
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    static HostPort parseSeed(String seed) {
        Objects.requireNonNull(seed, "seed node");
        int colon = seed.lastIndexOf(':');
        if (colon <= 0 || colon == seed.length() - 1) {
            throw new IllegalArgumentException("seed node must be host:port: '" + seed + "'");
        }
        String host = seed.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(seed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seed node must be host:port: '" + seed + "'", e);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("seed node port out of range: '" + seed + "'");
        }
        return new HostPort(host, port);
    }

    /** A parsed seed node address. */
    record HostPort(String host, int port) {
    }

    private static void checkPort(int port, String what) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(what + " must be within 0..65535: " + port);
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException(what + " must be at least one millisecond: " + d);
        }
    }

    /** Builds {@link ClusterSettings}; not thread-safe. */
    public static final class Builder {
        private String systemName = DEFAULT_SYSTEM_NAME;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private List<String> seedNodes = new ArrayList<>();
        private SplitBrainStrategy splitBrainStrategy = SplitBrainStrategy.KEEP_MAJORITY;
        private int quorumSize;
        private Duration stableAfter = DEFAULT_STABLE_AFTER;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration acceptableHeartbeatPause = DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE;
        private double failureDetectorThreshold = DEFAULT_FAILURE_DETECTOR_THRESHOLD;
        private int numberOfShards = DEFAULT_NUMBER_OF_SHARDS;
        private Duration handOffTimeout = DEFAULT_HAND_OFF_TIMEOUT;
        private Duration leaveTimeout = DEFAULT_LEAVE_TIMEOUT;
        private String role = "";
        private String entityTypeName = DEFAULT_ENTITY_TYPE_NAME;
        private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;
        private String pekkoConfig = "";
        private boolean localShortcut = true;

        private Builder() {
        }

        /** See {@link ClusterSettings#systemName()}. */
        public Builder systemName(String v) { systemName = v; return this; }
        /** See {@link ClusterSettings#host()}. */
        public Builder host(String v) { host = v; return this; }
        /** See {@link ClusterSettings#port()}. */
        public Builder port(int v) { port = v; return this; }
        /** Replaces the seed nodes ({@code host:port} each). */
        public Builder seedNodes(List<String> v) { seedNodes = new ArrayList<>(Objects.requireNonNull(v, "seedNodes")); return this; }
        /** Adds a seed node ({@code host:port}). */
        public Builder seedNode(String v) { seedNodes.add(Objects.requireNonNull(v, "seed node")); return this; }
        /** See {@link ClusterSettings#splitBrainStrategy()}. */
        public Builder splitBrainStrategy(SplitBrainStrategy v) { splitBrainStrategy = v; return this; }
        /** See {@link ClusterSettings#quorumSize()}. */
        public Builder quorumSize(int v) { quorumSize = v; return this; }
        /** See {@link ClusterSettings#stableAfter()}. */
        public Builder stableAfter(Duration v) { stableAfter = v; return this; }
        /** See {@link ClusterSettings#heartbeatInterval()}. */
        public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
        /** See {@link ClusterSettings#acceptableHeartbeatPause()}. */
        public Builder acceptableHeartbeatPause(Duration v) { acceptableHeartbeatPause = v; return this; }
        /** See {@link ClusterSettings#failureDetectorThreshold()}. */
        public Builder failureDetectorThreshold(double v) { failureDetectorThreshold = v; return this; }
        /** See {@link ClusterSettings#numberOfShards()}. */
        public Builder numberOfShards(int v) { numberOfShards = v; return this; }
        /** See {@link ClusterSettings#handOffTimeout()}. */
        public Builder handOffTimeout(Duration v) { handOffTimeout = v; return this; }
        /** See {@link ClusterSettings#leaveTimeout()}. */
        public Builder leaveTimeout(Duration v) { leaveTimeout = v; return this; }
        /** See {@link ClusterSettings#role()}. */
        public Builder role(String v) { role = v; return this; }
        /** See {@link ClusterSettings#entityTypeName()}. */
        public Builder entityTypeName(String v) { entityTypeName = v; return this; }
        /** See {@link ClusterSettings#joinTimeout()}. */
        public Builder joinTimeout(Duration v) { joinTimeout = v; return this; }
        /** See {@link ClusterSettings#pekkoConfig()}. */
        public Builder pekkoConfig(String v) { pekkoConfig = v; return this; }
        /** See {@link ClusterSettings#localShortcut()}. */
        public Builder localShortcut(boolean v) { localShortcut = v; return this; }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException if a value is out of range (the message names it)
         */
        public ClusterSettings build() {
            return new ClusterSettings(systemName, host, port, seedNodes, splitBrainStrategy, quorumSize, stableAfter,
                    heartbeatInterval, acceptableHeartbeatPause, failureDetectorThreshold, numberOfShards,
                    handOffTimeout, leaveTimeout, role, entityTypeName, joinTimeout, pekkoConfig, localShortcut);
        }
    }
}
