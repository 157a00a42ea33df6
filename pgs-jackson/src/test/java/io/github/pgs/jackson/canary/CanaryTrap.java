package io.github.pgs.jackson.canary;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records whether {@link Canary} (or {@link ControlCanary}) was ever initialised or instantiated. Kept in its
 * own class so that reading the flag does not itself initialise {@code Canary}.
 */
public final class CanaryTrap {

    /** The fully qualified name of {@link Canary}, for crafting payloads without touching the class. */
    public static final String CANARY = "io.github.pgs.jackson.canary.Canary";

    /** The fully qualified name of {@link ControlCanary}. */
    public static final String CONTROL_CANARY = "io.github.pgs.jackson.canary.ControlCanary";

    public static final AtomicBoolean TRIGGERED = new AtomicBoolean();

    public static final AtomicBoolean CONTROL = new AtomicBoolean();

    private CanaryTrap() {
    }
}
