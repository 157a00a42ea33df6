package io.github.pgs.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one activation. Transitions happen under the activation's monitor, together with the mailbox
 * check they depend on; {@link #check} rejects any transition not drawn here.
 *
 * <pre>
 *   NEW ──load/init ok──▶ ACTIVE ──idle, mailbox empty──▶ PETRIFYING ──persisted, mailbox still empty──▶ DEAD
 *    │                     ▲  │                               │
 *    │                     │  └──stop / crash────────────────────────────────────────────────────────▶ DEAD
 *    │                     └────────── message arrived meanwhile, or write failed ◀──┘
 *    ├──load/init failed──▶ DEAD
 *    └──undecodable state / crash loop──▶ QUARANTINED ──release──▶ DEAD
 * </pre>
 *
 * NEW, ACTIVE and PETRIFYING accept messages (a message accepted while petrifying aborts the petrification, so
 * it is handled by this activation); DEAD refuses them, and the sender retries on a fresh activation, which
 * can exist only once this one has left the registry (after persisting). QUARANTINED fails them fast.
 */
public enum Lifecycle {
    NEW, ACTIVE, PETRIFYING, DEAD, QUARANTINED;

    private Set<Lifecycle> next;

    static {
        NEW.next = EnumSet.of(ACTIVE, DEAD, QUARANTINED);
        ACTIVE.next = EnumSet.of(PETRIFYING, DEAD, QUARANTINED);
        PETRIFYING.next = EnumSet.of(ACTIVE, DEAD);
        DEAD.next = EnumSet.noneOf(Lifecycle.class);
        QUARANTINED.next = EnumSet.of(DEAD);
    }

    /** Whether messages are taken into the mailbox in this state. */
    public boolean accepts() {
        return this == NEW || this == ACTIVE || this == PETRIFYING;
    }

    /** Returns {@code to} if the transition is allowed, else throws (a bug in the runtime). */
    public Lifecycle check(Lifecycle to) {
        if (!next.contains(to)) {
            throw new IllegalStateException("illegal lifecycle transition " + this + " -> " + to);
        }
        return to;
    }
}
