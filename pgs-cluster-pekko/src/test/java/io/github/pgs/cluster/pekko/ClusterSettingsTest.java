package io.github.pgs.cluster.pekko;

import com.typesafe.config.Config;
import io.github.pgs.cluster.pekko.internal.PekkoConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSettingsTest {

    @Test
    void defaults_areTheNamedConstants() {
        ClusterSettings d = ClusterSettings.DEFAULTS;
        assertThat(d.systemName()).isEqualTo(ClusterSettings.DEFAULT_SYSTEM_NAME);
        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isEqualTo(25520);
        assertThat(d.seedNodes()).isEmpty();
        assertThat(d.splitBrainStrategy()).isEqualTo(SplitBrainStrategy.KEEP_MAJORITY);
        assertThat(d.stableAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(d.acceptableHeartbeatPause()).isEqualTo(Duration.ofSeconds(3));
        assertThat(d.numberOfShards()).isEqualTo(1_000);
        assertThat(d.localShortcut()).isTrue();
        assertThat(d.toBuilder().build()).isEqualTo(d);
        assertThat(d.toBuilder().localShortcut(false).build().toBuilder().build().localShortcut()).isFalse();
    }

    @Test
    void settings_becomePekkoConfiguration() {
        ClusterSettings s = ClusterSettings.builder().host("10.1.2.3").port(2552).seedNode("10.1.2.4:2552")
                .seedNode("[::1]:2553").splitBrainStrategy(SplitBrainStrategy.STATIC_QUORUM).quorumSize(2)
                .stableAfter(Duration.ofMillis(1500)).numberOfShards(64).leaveTimeout(Duration.ofSeconds(12))
                .role("backend").build();
        Config c = PekkoConfig.of(s);
        assertThat(c.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.1.2.3");
        assertThat(c.getInt("pekko.remote.artery.canonical.port")).isEqualTo(2552);
        assertThat(c.getStringList("pekko.cluster.seed-nodes"))
                .containsExactly("pekko://pgs@10.1.2.4:2552", "pekko://pgs@[::1]:2553");
        assertThat(c.getString("pekko.cluster.downing-provider-class"))
                .isEqualTo("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        assertThat(c.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("static-quorum");
        assertThat(c.getInt("pekko.cluster.split-brain-resolver.static-quorum.quorum-size")).isEqualTo(2);
        assertThat(c.getString("pekko.cluster.split-brain-resolver.static-quorum.role")).isEqualTo("backend");
        assertThat(c.getDuration("pekko.cluster.split-brain-resolver.stable-after")).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.getInt("pekko.cluster.sharding.number-of-shards")).isEqualTo(64);
        assertThat(c.getString("pekko.cluster.sharding.role")).isEqualTo("backend");
        assertThat(c.getDuration("pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout"))
                .isEqualTo(Duration.ofSeconds(12));
        assertThat(c.getString("pekko.actor.provider")).isEqualTo("cluster");
    }

    @Test
    void userConfiguration_overridesDefaults_butNeverTheFixedSettings() {
        ClusterSettings s = ClusterSettings.builder().pekkoConfig("""
                pekko.loglevel = DEBUG
                pekko.cluster.sharding.rebalance-interval = 3s
                pekko.actor.allow-java-serialization = on
                pekko.cluster.sharding.remember-entities = on
                pekko.cluster.sharding.passivation.strategy = default-idle-strategy
                pekko.cluster.downing-provider-class = ""
                """).build();
        Config c = PekkoConfig.of(s);
        assertThat(c.getString("pekko.loglevel")).isEqualTo("DEBUG");
        assertThat(c.getDuration("pekko.cluster.sharding.rebalance-interval")).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.getBoolean("pekko.actor.allow-java-serialization")).isFalse();
        assertThat(c.getBoolean("pekko.cluster.sharding.remember-entities")).isFalse();
        assertThat(c.getString("pekko.cluster.sharding.passivation.strategy")).isEqualTo("none");
        assertThat(c.getString("pekko.cluster.downing-provider-class")).contains("SplitBrainResolverProvider");
    }

    @Test
    void badValues_areRefused_namingTheSetting() {
        assertThatThrownBy(() -> ClusterSettings.builder().systemName("has space").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("systemName");
        assertThatThrownBy(() -> ClusterSettings.builder().host(" ").build()).hasMessageContaining("host");
        assertThatThrownBy(() -> ClusterSettings.builder().port(70_000).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> ClusterSettings.builder().port(-1).build()).hasMessageContaining("port");
        for (String seed : List.of("nohost", ":25520", "host:", "host:0", "host:99999", "host:abc")) {
            assertThatThrownBy(() -> ClusterSettings.builder().seedNode(seed).build())
                    .as(seed).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed node");
        }
        assertThatThrownBy(() -> ClusterSettings.builder().splitBrainStrategy(SplitBrainStrategy.STATIC_QUORUM)
                .build()).hasMessageContaining("quorumSize");
        assertThatThrownBy(() -> ClusterSettings.builder().stableAfter(Duration.ZERO).build())
                .hasMessageContaining("stableAfter");
        assertThatThrownBy(() -> ClusterSettings.builder().heartbeatInterval(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("heartbeatInterval");
        assertThatThrownBy(() -> ClusterSettings.builder().acceptableHeartbeatPause(Duration.ofNanos(10)).build())
                .hasMessageContaining("millisecond");
        assertThatThrownBy(() -> ClusterSettings.builder().failureDetectorThreshold(Double.NaN).build())
                .hasMessageContaining("failureDetectorThreshold");
        assertThatThrownBy(() -> ClusterSettings.builder().numberOfShards(0).build())
                .hasMessageContaining("numberOfShards");
        assertThatThrownBy(() -> ClusterSettings.builder().entityTypeName("a/b").build())
                .hasMessageContaining("entityTypeName");
        assertThatThrownBy(() -> ClusterSettings.builder().joinTimeout(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("joinTimeout");
        assertThatThrownBy(() -> ClusterSettings.builder().pekkoConfig("pekko {").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pekkoConfig");
    }
}
