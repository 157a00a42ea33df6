package io.github.pgs.runtime;

import io.github.pgs.MailboxFullException;
import io.github.pgs.ServerRef;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server's drain ends when its mailbox is empty and the next message starts a new one, often on another
 * thread. The hand-off must never let a handler run without its server's context: every handler here sets a
 * timer, which only the server's own handler may do, while two senders keep drains ending and starting.
 */
class DrainHandOffTest extends RuntimeFixture {

    @Test
    void handlersKeepTheirContext_whileDrainsEndAndStartOnOtherThreads() throws Exception {
        ServerRef ref = runtime.ref(Counter.class, "handoff");
        int perSender = 20_000;
        AtomicInteger sent = new AtomicInteger();
        Runnable sender = () -> {
            for (int i = 0; i < perSender; i++) {
                while (true) {
                    try {
                        ref.cast(new Counter.TouchContext());
                        break;
                    } catch (MailboxFullException full) {
                        Thread.onSpinWait();
                    }
                }
                sent.incrementAndGet();
                if ((i & 3) == 0) {
                    Thread.yield(); // let the drain catch up and end, so that the next cast starts a new one
                }
            }
        };
        Thread a = Thread.ofPlatform().start(sender);
        Thread b = Thread.ofPlatform().start(sender);
        a.join();
        b.join();
        settle();

        assertThat(runtime.stats().crashes()).as("no handler ran without its context").isZero();
        assertThat(runtime.isActive(ref.id())).isTrue();
    }
}
