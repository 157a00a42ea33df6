package io.github.pgs.micrometer;

import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.StoreOp;
import io.github.pgs.spi.RuntimeObserver.StoreOutcome;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.github.pgs.micrometer.PgsInstruments.TYPE;
import static org.assertj.core.api.Assertions.assertThat;

/** Traces through Micrometer Tracing's test tracer: one trace per caller chain, links for timers and reminders. */
class TracingTest {

    private final SimpleTracer tracer = new SimpleTracer();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ObservationRegistry observations = TestTracing.observations(tracer, meters);
    private final SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(meters, observations));

    @AfterEach
    void close() {
        rt.close();
    }

    private SimpleSpan span(String name, String type) {
        List<SimpleSpan> found = tracer.getSpans().stream()
                .filter(s -> s.getName().equals(name) && (type == null || type.equals(s.getTags().get(TYPE))))
                .toList();
        assertThat(found).as(name + " of " + type + " in " + tracer.getSpans()).hasSize(1);
        return found.getFirst();
    }

    @Test
    void callerHandlerAndNestedCall_formOneTrace_withStoreOperationsAsChildrenOfTheTurn() {
        Observation request = Observation.start("http.server.requests", observations);
        try (Observation.Scope ignored = request.openScope()) {
            rt.call(Workload.PLAYER, Workload.ReadScore.class, 1, 1, () -> {
                rt.store(Workload.PLAYER, StoreOp.READ, "sqlite", 1, StoreOutcome.OK, 10, null);
                long nested = rt.call(Workload.ROOM, Workload.Move.class, 1, 1, () -> 1L);
                rt.store(Workload.PLAYER, StoreOp.WRITE, "sqlite", 1, StoreOutcome.OK, 10, null);
                return nested;
            });
        }
        request.stop();

        SimpleSpan root = span("http.server.requests", null);
        SimpleSpan call = span("call ReadScore", "player");
        SimpleSpan handle = span("handle ReadScore", "player");
        SimpleSpan read = span("store read", "player");
        SimpleSpan write = span("store write", "player");
        SimpleSpan nestedCall = span("call Move", "room");
        SimpleSpan nestedHandle = span("handle Move", "room");

        assertThat(tracer.getSpans()).hasSize(7).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(root.getTraceId()));
        assertThat(call.getParentId()).isEqualTo(root.getSpanId());
        assertThat(handle.getParentId()).as("caller thread -> server thread").isEqualTo(call.getSpanId());
        assertThat(read.getParentId()).isEqualTo(handle.getSpanId());
        assertThat(write.getParentId()).isEqualTo(handle.getSpanId());
        assertThat(nestedCall.getParentId()).as("a call from a handler joins its turn").isEqualTo(handle.getSpanId());
        assertThat(nestedHandle.getParentId()).isEqualTo(nestedCall.getSpanId());
        assertThat(write.getTags()).containsEntry("store", "sqlite").containsEntry("outcome", "ok");
        assertThat(observations.getCurrentObservation()).as("every scope was closed").isNull();
    }

    @Test
    void theSameObservationsMakeTheTimers() {
        rt.call(Workload.PLAYER, Workload.ReadScore.class, 1, 1, () -> {
            rt.store(Workload.PLAYER, StoreOp.WRITE, "sqlite", 1, StoreOutcome.OK, 10, null);
            return 1L;
        });
        assertThat(meters.get(PgsInstruments.CALL).tags(TYPE, "player", "message", "ReadScore", "outcome", "ok",
                "error", "none").timer().count()).isEqualTo(1);
        assertThat(meters.get(PgsInstruments.HANDLE).tags("kind", "call", "outcome", "ok").timer().count())
                .isEqualTo(1);
        assertThat(meters.get(PgsInstruments.STORE).tags("store", "sqlite", "operation", "write").timer().count())
                .isEqualTo(1);
        assertThat(meters.get(PgsInstruments.STORE_BYTES).tags("operation", "write").summary().totalAmount())
                .isEqualTo(10);
    }

    @Test
    void aTimer_startsItsOwnTrace_linkedToTheTurnThatSetIt() {
        Object[] origin = new Object[1];
        rt.call(Workload.ROOM, Workload.Move.class, 1, 1, () -> {
            origin[0] = rt.schedule(Workload.ROOM, Kind.TIMER);
            return null;
        });
        rt.fire(Workload.ROOM, Kind.TIMER, Workload.Tick.class, origin[0], 1, () -> { });

        SimpleSpan setter = span("handle Move", "room");
        SimpleSpan fired = span("handle Tick", "room");
        assertThat(fired.getTraceId()).isNotEqualTo(setter.getTraceId());
        assertThat(fired.getParentId()).isNullOrEmpty();
        assertThat(fired.getLinks()).extracting(Link::getTraceContext)
                .anySatisfy(c -> assertThat(c.spanId()).isEqualTo(setter.getSpanId()));
    }

    @Test
    void aStoredReminder_linksToWhereItWasSet_throughItsHeaders() {
        Object[] origin = new Object[1];
        Map<String, String>[] stored = new Map[1];
        rt.call(Workload.ROOM, Workload.Move.class, 1, 1, () -> {
            origin[0] = rt.schedule(Workload.ROOM, Kind.REMINDER);
            stored[0] = rt.inject(origin[0]); // persisted with the reminder
            return null;
        });
        assertThat(stored[0]).containsKey(TestPropagator.HEADER);

        Object rebuilt = rt.extract(stored[0]); // after a restart, maybe in another JVM
        rt.fire(Workload.ROOM, Kind.REMINDER, io.github.pgs.ReminderFired.class, rebuilt, 1, () -> { });

        SimpleSpan setter = span("handle Move", "room");
        SimpleSpan fired = span("handle ReminderFired", "room");
        assertThat(fired.getTraceId()).isNotEqualTo(setter.getTraceId());
        assertThat(fired.getLinks()).extracting(l -> l.getTraceContext().traceId()).containsExactly(setter.getTraceId());
    }

    @Test
    void aCallToAnotherNode_continuesTheTraceThroughTheEnvelopesHeaders() {
        Object send = rt.observer().sendStarted(Workload.PLAYER, Kind.CALL, Workload.ReadScore.class);
        Map<String, String> envelopeHeaders = rt.inject(send);
        // the receiving node
        Object origin = rt.extract(envelopeHeaders);
        rt.fire(Workload.PLAYER, Kind.CALL, Workload.ReadScore.class, origin, 1, () -> { });
        rt.observer().sendEnded(send, Workload.PLAYER, Kind.CALL, Workload.ReadScore.class, 1, null);

        SimpleSpan call = span("call ReadScore", "player");
        SimpleSpan handle = span("handle ReadScore", "player");
        assertThat(handle.getTraceId()).isEqualTo(call.getTraceId());
        SimpleSpan receive = tracer.getSpans().stream().filter(s -> s.getSpanId().equals(handle.getParentId()))
                .findFirst().orElseThrow();
        SimpleSpan sent = tracer.getSpans().stream().filter(s -> s.getSpanId().equals(receive.getParentId()))
                .findFirst().orElseThrow();
        assertThat(sent.getParentId()).isEqualTo(call.getSpanId());
    }

    @Test
    void theWholeWorkload_keepsKeysOutOfSpansAndTags() {
        Workload.run(rt);
        for (SimpleSpan s : tracer.getSpans()) {
            assertThat(s.getName()).doesNotContain(Workload.SECRET);
            assertThat(s.getTags().values()).noneMatch(v -> v.contains(Workload.SECRET));
        }
        for (Meter m : meters.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getValue()).doesNotContain(Workload.SECRET);
            }
        }
    }
}
