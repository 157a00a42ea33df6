package io.github.pgs.jackson.canary;

/**
 * A harmless stand-in for a gadget class: initialising or constructing it flips {@link CanaryTrap#TRIGGERED}.
 * Stored data must never be able to make the codec do either.
 */
public class Canary {

    static {
        CanaryTrap.TRIGGERED.set(true);
    }

    public String note;

    public Canary() {
        CanaryTrap.TRIGGERED.set(true);
    }

    public void setNote(String note) {
        CanaryTrap.TRIGGERED.set(true);
        this.note = note;
    }
}
