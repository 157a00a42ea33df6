package io.github.pgs.bench;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.cluster.pekko.ClusterSettings;
import io.github.pgs.cluster.pekko.PekkoCluster;
import io.github.pgs.spi.Storage;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One node of the cluster scenarios ({@link ClusterScenarios}), a JVM started from the bench jar by the
 * coordinating process: it joins the cluster, builds a runtime of counters on the shared store whose servers the
 * cluster places, and runs load on command. Commands arrive on standard input, answers leave on standard output as
 * lines starting with {@code @} (nothing else is written there); the node halts when its standard input closes, so
 * it never outlives the process that started it.
 *
 * <pre>
 * load C W D     closed loop of C callers (Increment on random counters) for W + D s; answers
 *                "@result ok errors seconds totalOk totalErrors hostedHere histogram(base64)"
 * run C          C callers until "stop"; meanwhile "@tick epochSecond ok errors" once a second
 * stop           ends "run"; answers "@stopped totalOk"
 * overhead N     N non-persisting Gets on counters hosted here and N on counters hosted elsewhere, alternating,
 *                one caller; answers "@overhead localHistogram remoteHistogram" (base64)
 * hosting        "@hosting n": how many nodes host servers
 * leave          closes the runtime (leaving the cluster first) and exits
 * </pre>
 */
public final class BenchNode {

    private final ServerRuntime runtime;
    private final PekkoCluster cluster;
    private final PgsScenarios pgs;
    private final ServerRef[] refs;
    private final int k;
    private final AtomicBoolean running = new AtomicBoolean();
    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final List<Thread> callers = new ArrayList<>();

    private BenchNode(ServerRuntime runtime, PekkoCluster cluster, PgsScenarios pgs, int k) {
        this.runtime = runtime;
        this.cluster = cluster;
        this.pgs = pgs;
        this.k = k;
        this.refs = PgsScenarios.refs(runtime, "", k);
    }

    public static void main(String[] argv) throws Exception {
        Options o = new Options(argv);
        PgsScenarios pgs = new PgsScenarios(o);
        ClusterSettings.Builder settings = ClusterSettings.builder().port(o.integer("port", 0))
                .numberOfShards(o.integer("shards", 100))
                .stableAfter(Duration.ofMillis(o.integer("stable-after-ms", 7_000)))
                .acceptableHeartbeatPause(Duration.ofMillis(o.integer("heartbeat-pause-ms", 3_000)))
                .localShortcut(o.bool("local-shortcut", true));
        if (!o.str("seeds", "").isEmpty()) {
            settings.seedNodes(List.of(o.str("seeds", "").split(",")));
        }
        PekkoCluster cluster = PekkoCluster.join(settings.build());
        Storage storage = Stores.open(Stores.name(o, "postgres"), o, new JsonLine(), null, false);
        ServerRuntime runtime = ServerRuntime.builder().name("bench-node").storage(storage).closeStorage(true)
                .codec(PgsScenarios.codec()).register(pgs.counterType(pgs.idleTimeout(60)))
                .placement(cluster.placement()).build();
        BenchNode node = new BenchNode(runtime, cluster, pgs, o.integer("K", 10_000));
        System.out.println("@ready " + cluster.address());
        System.out.flush();
        node.serve();
    }

    private void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "load" -> answer(load(Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3])));
                case "run" -> run(Integer.parseInt(f[1]));
                case "stop" -> answer("@stopped " + stop());
                case "overhead" -> answer(overhead(Integer.parseInt(f[1])));
                case "hosting" -> answer("@hosting " + cluster.hostingNodes(Duration.ofSeconds(5)));
                case "leave" -> {
                    stop();
                    runtime.close();
                    cluster.close();
                    answer("@left");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
        }
        Runtime.getRuntime().halt(3); // the coordinating process is gone
    }

    private static void answer(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    private String load(int c, double warm, double dur) throws InterruptedException {
        ClosedLoop.Result r = new ClosedLoop(c, pgs.mode(), pgs.callTimeout().toMillis() + 30_000).timed(
                i -> refs[ThreadLocalRandom.current().nextInt(k)].call(Counter.INCREMENT),
                i -> refs[ThreadLocalRandom.current().nextInt(k)].callAsync(Counter.INCREMENT),
                warm, dur);
        return "@result " + r.ok() + " " + r.errors() + " " + r.seconds() + " " + r.totalOk() + " "
                + r.totalErrors() + " " + hostedHere() + " " + encode(r.histogram());
    }

    /** How many counters are active on this node (a counter that was called is active on its owner). */
    private int hostedHere() {
        int here = 0;
        for (int i = 0; i < k; i++) {
            if (runtime.isActive(new ServerId(Counter.TYPE, Integer.toString(i)))) {
                here++;
            }
        }
        return here;
    }

    private void run(int c) {
        running.set(true);
        for (int i = 0; i < c; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        refs[ThreadLocalRandom.current().nextInt(k)].call(Counter.INCREMENT);
                        ok.increment();
                    } catch (RuntimeException e) {
                        errors.increment();
                    }
                }
            }));
        }
        callers.add(Thread.ofPlatform().daemon().start(() -> {
            long lastOk = 0;
            long lastErrors = 0;
            while (running.get()) {
                long next = (System.currentTimeMillis() / 1000 + 1) * 1000;
                try {
                    Thread.sleep(Math.max(1, next - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    return;
                }
                long o = ok.sum();
                long e = errors.sum();
                answer("@tick " + (next / 1000 - 1) + " " + (o - lastOk) + " " + (e - lastErrors));
                lastOk = o;
                lastErrors = e;
            }
        }));
    }

    private long stop() throws InterruptedException {
        running.set(false);
        for (Thread t : callers) {
            t.join(Duration.ofSeconds(30));
        }
        callers.clear();
        return ok.sum();
    }

    /** Local and remote call latency of one caller, alternating, on counters stored first. */
    private String overhead(int n) {
        List<ServerRef> local = new ArrayList<>();
        List<ServerRef> remote = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            refs[i].call(Counter.INCREMENT); // stored and active on its owner from now on
        }
        for (int i = 0; i < k; i++) {
            (runtime.isActive(refs[i].id()) ? local : remote).add(refs[i]);
        }
        if (local.isEmpty() || remote.isEmpty()) {
            throw new IllegalStateException("no counters on one side (local " + local.size() + ", remote "
                    + remote.size() + ")");
        }
        Recorder l = new Recorder(3);
        Recorder r = new Recorder(3);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            local.get(rnd.nextInt(local.size())).call(Counter.GET);
            long t1 = System.nanoTime();
            remote.get(rnd.nextInt(remote.size())).call(Counter.GET);
            long t2 = System.nanoTime();
            l.recordValue(t1 - t0);
            r.recordValue(t2 - t1);
        }
        return "@overhead " + encode(l.getIntervalHistogram()) + " " + encode(r.getIntervalHistogram());
    }

    static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b.array(), n));
    }

    static Histogram decode(String text) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not a histogram", e);
        }
    }
}
