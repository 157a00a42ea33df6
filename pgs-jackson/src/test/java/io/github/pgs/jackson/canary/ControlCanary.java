package io.github.pgs.jackson.canary;

/**
 * The same trap as {@link Canary}, on its own flag, for the control test that shows an unguarded mapper does
 * fall into it (using {@code Canary} itself there would initialise it before the real tests run).
 */
public class ControlCanary {

    static {
        CanaryTrap.CONTROL.set(true);
    }

    public String note;

    public ControlCanary() {
        CanaryTrap.CONTROL.set(true);
    }
}
