package io.github.pgs.cluster.pekko.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.cluster.pekko.SplitBrainStrategy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns {@link ClusterSettings} into the configuration of the node's Pekko actor system, in three layers:
 *
 * <ol>
 *   <li>fixed: what this module's correctness or security depends on, applied over everything (cluster provider,
 *       no Java serialization, the wire serializer's binding, the split-brain resolver as downing provider,
 *       remember-entities off, Pekko's own passivation off: a server's entity lives exactly as long as its
 *       activation);</li>
 *   <li>the user's {@link ClusterSettings#pekkoConfig()};</li>
 *   <li>the settings' values (address, seeds, failure detector, split-brain strategy, shards, hand-off and leave
 *       timeouts), then Pekko's reference configuration.</li>
 * </ol>
 *
 * <p>Hazards: the coordinated-shutdown phase that hands off the node's shards must last at least as long as the
 * servers need to petrify, or Pekko moves on to leaving with servers still writing; hence
 * {@code cluster-sharding-shutdown-region.timeout = leaveTimeout}. {@code number-of-shards} must be equal on all
 * nodes (Pekko checks it when a node joins).
 */
public final class PekkoConfig {

    /** The serializer identifier of {@link EnvelopeSerializer}; Pekko reserves 0 to 40 for itself. */
    public static final int SERIALIZER_ID = 7_317_001;

    private PekkoConfig() {
    }

    /** The full configuration of a node with {@code settings}. */
    public static Config of(ClusterSettings settings) {
        Config fixed = ConfigFactory.parseMap(fixed(settings));
        Config user = ConfigFactory.parseString(settings.pekkoConfig());
        Config derived = ConfigFactory.parseMap(derived(settings));
        return fixed.withFallback(user).withFallback(derived).withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    /** The Pekko address URI of a node at {@code host:port}. */
    public static String address(String systemName, String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "pekko://" + systemName + "@" + h + ":" + port;
    }

    private static Map<String, Object> fixed(ClusterSettings s) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("pekko.actor.provider", "cluster");
        m.put("pekko.actor.allow-java-serialization", "off");
        m.put("pekko.actor.warn-about-java-serializer-usage", "on");
        m.put("pekko.actor.serializers.pgs-wire", EnvelopeSerializer.class.getName());
        m.put("pekko.actor.serialization-bindings.\"" + ClusterEnvelope.class.getName() + "\"", "pgs-wire");
        m.put("pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        m.put("pekko.cluster.sharding.remember-entities", "off");
        m.put("pekko.cluster.sharding.passivation.strategy", "none");
        return m;
    }

    private static Map<String, Object> derived(ClusterSettings s) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("pekko.remote.artery.canonical.hostname", s.host());
        m.put("pekko.remote.artery.canonical.port", s.port());
        List<String> seeds = new ArrayList<>();
        for (String seed : s.seedNodes()) {
            int colon = seed.lastIndexOf(':');
            String host = seed.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            seeds.add(address(s.systemName(), host, Integer.parseInt(seed.substring(colon + 1))));
        }
        m.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));

        SplitBrainStrategy sbr = s.splitBrainStrategy();
        m.put("pekko.cluster.split-brain-resolver.active-strategy", sbr.pekkoName());
        m.put("pekko.cluster.split-brain-resolver.stable-after", millis(s.stableAfter()));
        if (sbr == SplitBrainStrategy.STATIC_QUORUM) {
            m.put("pekko.cluster.split-brain-resolver.static-quorum.quorum-size", s.quorumSize());
        }
        if (!s.role().isEmpty()) {
            m.put("pekko.cluster.split-brain-resolver." + sbr.pekkoName() + ".role", s.role());
            m.put("pekko.cluster.sharding.role", s.role());
        }
        m.put("pekko.cluster.failure-detector.heartbeat-interval", millis(s.heartbeatInterval()));
        m.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", millis(s.acceptableHeartbeatPause()));
        m.put("pekko.cluster.failure-detector.threshold", s.failureDetectorThreshold());
        m.put("pekko.cluster.sharding.number-of-shards", s.numberOfShards());
        m.put("pekko.cluster.sharding.handoff-timeout", millis(s.handOffTimeout()));
        m.put("pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout",
                millis(s.leaveTimeout()));
        // The runtime's own close runs in this phase after the node has left; it petrifies what is still active
        // here (nothing, after a graceful leave; everything, after this node was downed).
        m.put("pekko.coordinated-shutdown.phases.before-actor-system-terminate.timeout", millis(s.leaveTimeout()));
        // A caller of a server on a node that was just downed or left gets no reply: that is a call timeout, not
        // news worth a log line per message.
        m.put("pekko.log-dead-letters-during-shutdown", "off");
        m.put("pekko.cluster.jmx.enabled", "off");
        m.put("pekko.loglevel", "WARNING");
        m.put("pekko.stdout-loglevel", "WARNING");
        return m;
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }
}
