package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.placement.PlacementHost;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine on three real Pekko nodes inside one JVM, each with a fake runtime ({@link FakeHost}) that counts per
 * server and notices two activations of one server at once. What is checked is Pekko's part: routing to exactly
 * one owner, passivation after the activation departed, hand-off before a shard starts elsewhere (with callers
 * running throughout), the duties singleton, and refusal once a node is out. The real runtime on a real store is
 * covered by the multi-JVM tests.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PekkoPlacementTest {

    static final long BUDGET = TimeUnit.SECONDS.toNanos(20);

    private final List<ClusterMember> members = new ArrayList<>();
    private final SharedStore store = new SharedStore();

    @AfterEach
    void stop() throws Exception {
        members.forEach(m -> m.system().terminate());
        for (ClusterMember m : members) {
            m.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private Node node(List<Node> seeds) throws IOException {
        return node(seeds, true);
    }

    private Node node(List<Node> seeds, boolean shortcut) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ClusterSettings settings = ClusterSettings.builder().systemName("placement").port(port).numberOfShards(30)
                .seedNodes(seeds.stream().map(n -> "127.0.0.1:" + n.port).toList())
                .stableAfter(Duration.ofSeconds(2))
                // all nodes stop at once after each test: nobody is left to confirm an orderly exit
                .pekkoConfig("pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s")
                .localShortcut(shortcut).build();
        ClusterMember member = ClusterMember.start(settings, Duration.ofSeconds(60));
        members.add(member);
        PekkoPlacement placement = new PekkoPlacement(member);
        FakeHost host = new FakeHost("node-" + port, store, placement);
        placement.attach(host);
        return new Node(port, member, placement, host);
    }

    private List<Node> threeNodes() throws IOException, InterruptedException {
        Node first = node(List.of());
        Node second = node(List.of(first));
        Node third = node(List.of(first));
        List<Node> nodes = List.of(first, second, third);
        // shards are given to the regions registered when they are first used: wait for all three
        await(() -> nodes.stream().allMatch(n -> n.placement.regions(Duration.ofSeconds(5)) == 3),
                "three shard regions");
        return nodes;
    }

    private static WireMessage call(ServerId id) {
        return new WireMessage(WireMessage.Kind.CALL, id, "Inc", new byte[0], BUDGET, Map.of(), null);
    }

    private static long ask(Node node, ServerId id) throws Exception {
        WireReply r = node.placement.ask(call(id)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(r.error()).as("reply error for %s", id).isNull();
        return ByteBuffer.wrap(r.value()).getLong();
    }

    private static ServerId id(int i) {
        return new ServerId("counter", "c" + i);
    }

    @Test
    void everyServer_isServedByExactlyOneNode_fromEveryNode() throws Exception {
        List<Node> nodes = threeNodes();
        int servers = 150;
        for (Node n : nodes) {
            for (int i = 0; i < servers; i++) {
                ask(n, id(i));
            }
        }
        for (int i = 0; i < servers; i++) {
            assertThat(store.counts.get(id(i))).as("count of %s", id(i)).isEqualTo(3L);
        }
        assertThat(store.doubleActivations).hasValue(0);
        int hosted = nodes.stream().mapToInt(n -> n.host.active.size()).sum();
        assertThat(hosted).as("each server active on one node").isEqualTo(servers);
        assertThat(nodes).as("the shards are spread over the nodes").allMatch(n -> !n.host.active.isEmpty());
    }

    @Test
    void departedActivation_passivatesItsEntity_andTheNextMessageStartsAFreshOne() throws Exception {
        List<Node> nodes = threeNodes();
        ServerId id = id(7);
        assertThat(ask(nodes.get(0), id)).isEqualTo(1);
        Node owner = nodes.stream().filter(n -> n.host.active.contains(id)).findFirst().orElseThrow();
        assertThat(owner.placement.entities()).containsKey(id);
        owner.host.petrify(id);
        await(() -> !owner.placement.entities().containsKey(id), "the entity passivated");
        assertThat(ask(nodes.get(1), id)).isEqualTo(2);
        assertThat(store.doubleActivations).hasValue(0);
    }

    @Test
    void gracefulLeave_handsEveryServerOff_beforeItsShardMoves_whileCallersGoOn() throws Exception {
        List<Node> nodes = threeNodes();
        int servers = 120;
        for (int i = 0; i < servers; i++) {
            ask(nodes.get(0), id(i));
        }
        Node leaving = nodes.get(2);
        Set<ServerId> movedAway = Set.copyOf(leaving.host.active);
        assertThat(movedAway).isNotEmpty();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong acked = new AtomicLong();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (Node caller : nodes.subList(0, 2)) {
            for (int c = 0; c < 4; c++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        ServerId target = id(ThreadLocalRandom.current().nextInt(servers));
                        try {
                            ask(caller, target);
                            acked.incrementAndGet();
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }
                }));
            }
        }
        long before = acked.get();
        await(() -> acked.get() > before + 200, "callers are running");
        leaving.placement.close();
        long afterLeave = acked.get();
        await(() -> acked.get() > afterLeave + 200, "callers go on after the leave");
        running.set(false);
        for (Thread t : callers) {
            t.join();
        }

        System.out.printf("graceful leave: %d calls acknowledged, %d deliveries dropped by Pekko and sent again%n",
                acked.get(), nodes.stream().mapToLong(n -> n.placement.redeliveries()).sum());
        assertThat(failures).as("no call failed while the shards moved").isEmpty();
        assertThat(leaving.host.handedOff).as("each server of the leaving node was handed off")
                .containsAll(movedAway);
        assertThat(leaving.host.active).as("nothing stays active on the node that left").isEmpty();
        assertThat(store.doubleActivations).as("never two activations of one server at once").hasValue(0);
        for (ServerId id : movedAway) {
            assertThat(nodes.subList(0, 2)).as("%s moved to a remaining node", id)
                    .anyMatch(n -> n.host.active.contains(id));
        }
        long total = store.counts.values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).as("every acknowledged call counted once").isEqualTo(servers + acked.get());
        assertThatThrownBy(() -> leaving.placement.ask(call(id(1))).toCompletableFuture().join())
                .hasCauseInstanceOf(ServerUnreachableException.class);
        ServerUnreachableException refused = (ServerUnreachableException) catchCause(leaving, id(1));
        assertThat(refused.retrySafe()).as("a refusal on a node that left is safe to retry").isTrue();
    }

    private static WireMessage numbered(ServerId id, long n, boolean asks) {
        return new WireMessage(asks ? WireMessage.Kind.CALL : WireMessage.Kind.CAST, id, "Seq",
                ByteBuffer.allocate(8).putLong(n).array(), asks ? BUDGET : 0, Map.of(), null);
    }

    @Test
    void aServerOnThisNode_isReachedWithoutPekko_unlessTheShortcutIsOff() throws Exception {
        // two clusters of one node each (no rebalancing can move a shard away during the count)
        for (boolean shortcut : new boolean[] {true, false}) {
            Node n = node(List.of(), shortcut);
            ServerId id = id(shortcut ? 1 : 2);
            ask(n, id); // through Pekko: no entity yet; its reply confirms the lane
            long before = n.placement.localDeliveries();
            for (int i = 0; i < 100; i++) {
                ask(n, id);
            }
            n.placement.tell(numbered(id, 1, false));
            long taken = n.placement.localDeliveries() - before;
            assertThat(taken).as("shortcuts with the shortcut %s", shortcut ? "on" : "off")
                    .isEqualTo(shortcut ? 101 : 0);
            assertThat(n.placement.unconfirmedLanes()).as("nothing left unconfirmed").isZero();
        }
    }

    @Test
    void theShortcut_keepsEachSendersOrder_whileTheServersEntityComesAndGoes() throws Exception {
        Node node = node(List.of());
        ServerId id = id(3);
        int messages = 3_000;
        for (long n = 1; n <= messages; n++) {
            if (n % 4 == 0) { // a call, waited for, among casts
                assertThat(node.placement.ask(numbered(id, n, true)).toCompletableFuture().get(30, TimeUnit.SECONDS)
                        .error()).isNull();
            } else {
                node.placement.tell(numbered(id, n, false));
            }
            if (n % 50 == 0) {
                // the server departs: its entity passivates and comes back, so that this sender's messages switch
                // between Pekko (no entity here, or earlier messages still on their way) and the shortcut
                node.host.petrify(id);
            }
        }
        await(() -> node.host.log(id).size() == messages, "every message delivered");

        List<Long> expected = java.util.stream.LongStream.rangeClosed(1, messages).boxed().toList();
        assertThat(node.host.log(id)).as("delivered in the order sent").isEqualTo(expected);
        long shortcuts = node.placement.localDeliveries();
        System.out.printf("order test: %d of %d messages took the shortcut, %d passivations%n", shortcuts, messages,
                node.host.petrifications.get());
        assertThat(shortcuts).as("some messages took the shortcut, some went through Pekko")
                .isPositive().isLessThan(messages);
        assertThat(node.host.petrifications.get()).as("the entity came and went").isGreaterThan(10);
        assertThat(store.doubleActivations).hasValue(0);
    }

    @Test
    void duties_runOnOneNode_andMoveWhenItLeaves() throws Exception {
        List<Node> nodes = threeNodes();
        await(() -> nodes.stream().filter(n -> n.host.duties).count() == 1, "duties on exactly one node");
        Node keeper = nodes.stream().filter(n -> n.host.duties).findFirst().orElseThrow();
        assertThat(keeper).as("the oldest node keeps the duties").isSameAs(nodes.get(0));
        keeper.placement.close();
        assertThat(keeper.host.duties).as("duties off on the node that left").isFalse();
        await(() -> nodes.stream().filter(n -> n != keeper && n.host.duties).count() == 1,
                "duties moved to exactly one remaining node");
    }

    private static Throwable catchCause(Node node, ServerId id) {
        try {
            node.placement.ask(call(id)).toCompletableFuture().join();
            throw new AssertionError("no refusal");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20); // real nodes converging in real time
        }
    }

    record Node(int port, ClusterMember member, PekkoPlacement placement, FakeHost host) {
    }

    /** What the fake runtimes share: a count per server and who has it active. */
    static final class SharedStore {
        final Map<ServerId, Long> counts = new ConcurrentHashMap<>();
        final Map<ServerId, FakeHost> owners = new ConcurrentHashMap<>();
        final AtomicInteger doubleActivations = new AtomicInteger();
    }

    /** A runtime stand-in: activates on first delivery, counts each call, petrifies on hand-off. */
    static final class FakeHost implements PlacementHost {
        final String name;
        final SharedStore store;
        final PekkoPlacement placement;
        final Set<ServerId> active = ConcurrentHashMap.newKeySet();
        final Set<ServerId> handedOff = ConcurrentHashMap.newKeySet();
        final Map<ServerId, List<Long>> logs = new ConcurrentHashMap<>();
        final AtomicInteger petrifications = new AtomicInteger();
        volatile boolean duties;

        FakeHost(String name, SharedStore store, PekkoPlacement placement) {
            this.name = name;
            this.store = store;
            this.placement = placement;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public synchronized CompletableFuture<WireReply> deliver(WireMessage m) {
            ServerId id = m.target();
            if (active.add(id)) {
                FakeHost other = store.owners.putIfAbsent(id, this);
                if (other != null && other != this) {
                    store.doubleActivations.incrementAndGet();
                    store.owners.put(id, this);
                }
            }
            if (m.messageClass().equals("Seq")) {
                log(id).add(ByteBuffer.wrap(m.payload()).getLong());
            }
            long count = store.counts.merge(id, 1L, Long::sum);
            return CompletableFuture.completedFuture(WireReply.ok(ByteBuffer.allocate(8).putLong(count).array(),
                    null));
        }

        @Override
        public synchronized CompletableFuture<Void> handOff(Predicate<ServerId> which) {
            for (ServerId id : Set.copyOf(active)) {
                if (which.test(id)) {
                    active.remove(id);
                    store.owners.remove(id, this);
                    handedOff.add(id);
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        /** The numbered messages {@code id} received, in the order it received them. */
        List<Long> log(ServerId id) {
            return logs.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        }

        /** The activation of {@code id} ends here, as an idle petrify would end it. */
        synchronized void petrify(ServerId id) {
            if (active.contains(id)) {
                petrifications.incrementAndGet();
            }
            active.remove(id);
            store.owners.remove(id, this);
            placement.departed(id);
        }

        @Override
        public void duties(boolean on) {
            duties = on;
        }
    }
}
