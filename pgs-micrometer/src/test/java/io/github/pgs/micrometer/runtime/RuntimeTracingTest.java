package io.github.pgs.micrometer.runtime;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.micrometer.TestTracing;
import io.github.pgs.placement.Placement;
import io.github.pgs.placement.PlacementHost;
import io.github.pgs.placement.WireFormat;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ManualTime;
import io.github.pgs.testkit.ServerTestKit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Traces of a real runtime: a caller, its handler and the handler's nested call form one trace with the store
 * operations as children of their turns; timers and reminders start their own traces, linked to where they were
 * set, a reminder even after its server was petrified and the runtime restarted.
 */
class RuntimeTracingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualTime time = new ManualTime();
    private final InMemoryStorage store = new InMemoryStorage();
    private final SimpleTracer tracer = new SimpleTracer();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ObservationRegistry observations = TestTracing.observations(tracer, meters);
    private final List<ServerRuntime> runtimes = new ArrayList<>();

    private ServerRuntime start() {
        ServerRuntime r = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5)).reminderPollInterval(Duration.ofMillis(100))
                .register(ServerType.builder(Tally.class).options(TypeOptions.DEFAULTS).build())
                .observer(MicrometerObserver.of(meters, observations))
                .build();
        runtimes.add(r);
        Tally.clock = time;
        Tally.runtime = r;
        return r;
    }

    @AfterEach
    void close() {
        runtimes.forEach(ServerRuntime::close);
    }

    private SimpleSpan span(String name, String type) {
        List<SimpleSpan> found = tracer.getSpans().stream()
                .filter(s -> name.equals(s.getName()) && (type == null || type.equals(s.getTags().get("type"))))
                .toList();
        assertThat(found).as(name + " in " + tracer.getSpans()).hasSize(1);
        return found.getFirst();
    }

    private List<SimpleSpan> spans(String name) {
        return tracer.getSpans().stream().filter(s -> name.equals(s.getName())).toList();
    }

    @Test
    void callerHandlerAndNestedCall_areOneTrace_withTheStoreOperationsBelowTheirTurns() {
        ServerRuntime runtime = start();
        Observation request = Observation.start("http.server.requests", observations);
        try (Observation.Scope ignored = request.openScope()) {
            runtime.ref(Tally.class, "a").call(new Tally.Ask("b"));
        }
        request.stop();
        assertThat(runtime.awaitQuiescence(WAIT)).isTrue();

        SimpleSpan root = span("http.server.requests", null);
        SimpleSpan call = span("call Ask", "tally");
        SimpleSpan turn = span("handle Ask", "tally");
        SimpleSpan nested = span("call Get", "tally");
        SimpleSpan nestedTurn = span("handle Get", "tally");
        assertThat(tracer.getSpans()).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(root.getTraceId()));
        assertThat(call.getParentId()).isEqualTo(root.getSpanId());
        assertThat(turn.getParentId()).as("from the caller's thread to the server's").isEqualTo(call.getSpanId());
        assertThat(nested.getParentId()).as("a call from a handler joins its turn").isEqualTo(turn.getSpanId());
        assertThat(nestedTurn.getParentId()).isEqualTo(nested.getSpanId());
        List<SimpleSpan> stores = new ArrayList<>(spans("store read"));
        stores.addAll(spans("store write"));
        assertThat(stores).hasSize(4) // a and b: each loads (nothing stored yet) and writes its fresh state
                .allSatisfy(s -> assertThat(s.getParentId()).isIn(turn.getSpanId(), nestedTurn.getSpanId()))
                .anySatisfy(s -> assertThat(s.getParentId()).isEqualTo(turn.getSpanId()))
                .anySatisfy(s -> assertThat(s.getParentId()).isEqualTo(nestedTurn.getSpanId()));
        assertThat(observations.getCurrentObservation()).isNull();
    }

    @Test
    void aTimer_startsItsOwnTrace_linkedToTheTurnThatSetIt() {
        ServerRuntime runtime = start();
        runtime.ref(Tally.class, "a").call(new Tally.Later(100));
        assertThat(runtime.awaitQuiescence(WAIT)).isTrue();
        time.advance(Duration.ofMillis(200));
        assertThat(runtime.awaitQuiescence(WAIT)).isTrue();

        SimpleSpan setter = span("handle Later", "tally");
        SimpleSpan fired = span("handle Tick", "tally");
        assertThat(fired.getTraceId()).isNotEqualTo(setter.getTraceId());
        assertThat(fired.getParentId()).isNullOrEmpty();
        assertThat(fired.getLinks()).extracting(l -> l.getTraceContext().spanId()).containsExactly(setter.getSpanId());
    }

    @Test
    void aReminder_firedAfterARestart_linksToWhereItWasSet() {
        ServerRuntime first = start();
        ServerRef ref = first.ref(Tally.class, "a");
        ref.call(new Tally.RemindIn(500));
        first.close(); // petrified, its reminder stored with the headers of where it was set
        SimpleSpan setter = span("handle RemindIn", "tally");

        ServerRuntime second = start();
        // the poller wakes the petrified server; one due task at a time, settling after each, so that the poller's
        // start-up pass (nothing due yet) has set its next pass for the reminder before the clock moves past it
        ServerTestKit.advanceSettled(time, second, Duration.ofSeconds(1), WAIT);
        assertThat(second.ref(Tally.class, "a").call(new Tally.Get())).isEqualTo(1000);
        assertThat(second.awaitQuiescence(WAIT)).isTrue(); // its turn ends after the reply

        SimpleSpan fired = span("handle ReminderFired", "tally");
        assertThat(fired.getTraceId()).isNotEqualTo(setter.getTraceId());
        assertThat(fired.getLinks()).extracting(l -> l.getTraceContext().traceId())
                .containsExactly(setter.getTraceId());
    }

    @Test
    void aCallToAServerOnAnotherNode_continuesTheCallersTrace_throughTheEnvelopesHeaders() {
        Loopback cluster = new Loopback();
        ServerRuntime caller = node("a", cluster);
        node("b", cluster); // owns every server
        Tally.runtime = caller;
        caller.ref(Tally.class, "x").call(new Tally.Inc());
        runtimes.forEach(r -> assertThat(r.awaitQuiescence(WAIT)).isTrue());

        SimpleSpan call = span("call Inc", "tally");
        SimpleSpan turn = span("handle Inc", "tally");
        assertThat(turn.getTraceId()).isEqualTo(call.getTraceId());
        assertThat(cluster.crossed).as("the trace context went as headers, not as an object").isNotEmpty()
                .allSatisfy(h -> assertThat(h).containsKey("traceparent"));
        SimpleSpan receive = tracer.getSpans().stream().filter(x -> x.getSpanId().equals(turn.getParentId()))
                .findFirst().orElseThrow();
        SimpleSpan send = tracer.getSpans().stream().filter(x -> x.getSpanId().equals(receive.getParentId()))
                .findFirst().orElseThrow();
        assertThat(send.getParentId()).isEqualTo(call.getSpanId());
    }

    private ServerRuntime node(String name, Placement engine) {
        ServerRuntime r = ServerRuntime.builder().name(name).storage(store).timeSource(time).scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5)).placement(engine)
                .register(ServerType.builder(Tally.class).options(TypeOptions.DEFAULTS).build())
                .observer(MicrometerObserver.of(meters, observations))
                .build();
        runtimes.add(r);
        return r;
    }

    /** Two nodes in one JVM; the last attached owns every server; messages cross as bytes ({@link WireFormat}). */
    private static final class Loopback implements Placement {
        final List<Map<String, String>> crossed = new CopyOnWriteArrayList<>();
        private final List<PlacementHost> hosts = new CopyOnWriteArrayList<>();

        @Override
        public void attach(PlacementHost host) {
            hosts.add(host);
        }

        @Override
        public CompletionStage<WireReply> ask(WireMessage m) {
            WireMessage bytes = WireFormat.decodeMessage(WireFormat.encode(m));
            if (m.kind() == WireMessage.Kind.CALL) {
                crossed.add(bytes.headers());
            }
            return hosts.getLast().deliver(bytes).thenApply(r -> WireFormat.decodeReply(WireFormat.encode(r)));
        }

        @Override
        public void tell(WireMessage m) {
            hosts.getLast().deliver(WireFormat.decodeMessage(WireFormat.encode(m)));
        }

        @Override
        public void close() {
        }
    }
}
