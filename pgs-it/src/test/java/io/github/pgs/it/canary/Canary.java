package io.github.pgs.it.canary;

/**
 * A harmless stand-in for a deserialization gadget: initialising it, constructing it or setting its property flips
 * {@link CanaryTrap#TRIGGERED}. No stored data may ever make the runtime or its codec do any of that.
 */
public class Canary {

    static {
        CanaryTrap.TRIGGERED.set(true);
    }

    private String note;

    public Canary() {
        CanaryTrap.TRIGGERED.set(true);
    }

    public String getNote() {
        return note;
    }

    public void setNote(String note) {
        CanaryTrap.TRIGGERED.set(true);
        this.note = note;
    }
}
