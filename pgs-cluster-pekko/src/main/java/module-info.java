/**
 * Cluster mode on Apache Pekko Cluster Sharding: the same servers on several JVMs sharing one store. Only
 * {@code io.github.pgs.cluster.pekko} is API; Pekko instantiates the wire serializer of the internal package
 * reflectively, so that package is open to it and to nothing else.
 */
module io.github.pgs.cluster.pekko {
    requires transitive io.github.pgs.core;
    requires pekko.actor;
    requires pekko.actor.typed;
    requires pekko.cluster;
    requires pekko.cluster.typed;
    requires pekko.cluster.sharding;
    requires pekko.cluster.sharding.typed;
    requires typesafe.config;
    requires scala.library;
    requires org.slf4j;

    exports io.github.pgs.cluster.pekko;
    opens io.github.pgs.cluster.pekko.internal to pekko.actor;
}
