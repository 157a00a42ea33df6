package io.github.pgs.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one activation. Every change goes through {@link Activation#moveTo}, under the activation's
 * monitor and together with the mailbox check it depends on; {@link #check} rejects any transition not drawn here.
 *
 * <pre>
 *   NEW ──load/init ok──▶ ACTIVE ──idle or asked, mailbox empty──▶ PETRIFYING ──persisted, nothing arrived──▶ DEAD
 *    │                    ▲  │  │                                    │
 *    │                    │  │  └── message arrived meanwhile, or write failed ◀┘
 *    │                    │  └── write failed, state discarded ──▶ STALE ──next message reloads──┐
 *    │                    └──────────────────────────────────────────────────────────────────────┘
 *    ├── load/init failed, stop, crash (from NEW, ACTIVE or STALE) ─────────────────────────────────▶ DEAD
 *    └── undecodable state, crash loop, recorded quarantine ──▶ QUARANTINED ──release──▶ DEAD
 * </pre>
 *
 * NEW, ACTIVE, STALE and PETRIFYING accept messages (a message accepted while petrifying aborts the
 * petrification, so it is handled by this activation). ACTIVE and PETRIFYING hold a loaded state; NEW and STALE
 * load (or reload) it with their next message. DEAD refuses messages, and the sender retries on a fresh
 * activation, which can exist only once this one has left the registry (after persisting). QUARANTINED fails
 * them fast and stays in the registry as the quarantine's marker until it is released.
 */
enum Lifecycle {
    NEW, ACTIVE, STALE, PETRIFYING, DEAD, QUARANTINED;

    private Set<Lifecycle> next;

    static {
        NEW.next = EnumSet.of(ACTIVE, DEAD, QUARANTINED);
        ACTIVE.next = EnumSet.of(PETRIFYING, STALE, DEAD, QUARANTINED);
        STALE.next = EnumSet.of(ACTIVE, DEAD, QUARANTINED);
        PETRIFYING.next = EnumSet.of(ACTIVE, DEAD);
        DEAD.next = EnumSet.noneOf(Lifecycle.class);
        QUARANTINED.next = EnumSet.of(DEAD);
    }

    /** Whether messages are taken into the mailbox in this state. */
    boolean accepts() {
        return this != DEAD && this != QUARANTINED;
    }

    /** Whether the activation holds a loaded state in this phase. */
    boolean loaded() {
        return this == ACTIVE || this == PETRIFYING;
    }

    /** Whether nothing more happens in this activation (it left, or it only marks a quarantine). */
    boolean ended() {
        return this == DEAD || this == QUARANTINED;
    }

    /** Returns {@code to} if the transition is allowed, else throws (a bug in the runtime). */
    Lifecycle check(Lifecycle to) {
        if (!next.contains(to)) {
            throw new IllegalStateException("illegal lifecycle transition " + this + " -> " + to);
        }
        return to;
    }
}
