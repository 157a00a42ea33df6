package io.github.pgs.it.canary;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records whether {@link Canary} was ever initialised or instantiated. Kept apart from it so that reading the flag
 * does not initialise {@code Canary}.
 */
public final class CanaryTrap {

    /** The fully qualified name of {@link Canary}, for crafting payloads without touching the class. */
    public static final String CANARY = "io.github.pgs.it.canary.Canary";

    public static final AtomicBoolean TRIGGERED = new AtomicBoolean();

    private CanaryTrap() {
    }
}
