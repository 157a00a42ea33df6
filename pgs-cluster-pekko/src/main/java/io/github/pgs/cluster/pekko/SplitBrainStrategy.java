package io.github.pgs.cluster.pekko;

/**
 * How the cluster decides which side of a partition (or which survivors of a crash) keeps running, through
 * Pekko's split-brain resolver. Whichever side it stops, correctness does not depend on the choice: a server
 * that is briefly active on both sides is fenced by the store's version check. The choice decides availability.
 */
public enum SplitBrainStrategy {

    /**
     * The side with more than half of the nodes (by the last membership both sides knew) stays; on a tie the side
     * with the lowest address stays. The default: right for a fixed number of nodes, where a minority that is cut
     * off stops itself.
     */
    KEEP_MAJORITY("keep-majority"),

    /**
     * The side with the oldest node stays. With {@code down-if-alone} (Pekko's default), an oldest node cut off
     * from everyone else stops itself instead.
     */
    KEEP_OLDEST("keep-oldest"),

    /**
     * A side stays if it has at least {@link ClusterSettings#quorumSize()} nodes. Never run more than
     * {@code 2 * quorumSize - 1} nodes with it.
     */
    STATIC_QUORUM("static-quorum"),

    /** Every node stops when any node becomes unreachable for longer than the stable-after time. */
    DOWN_ALL("down-all");

    private final String pekkoName;

    SplitBrainStrategy(String pekkoName) {
        this.pekkoName = pekkoName;
    }

    /** The strategy's name in Pekko's configuration ({@code active-strategy}). */
    public String pekkoName() {
        return pekkoName;
    }
}
