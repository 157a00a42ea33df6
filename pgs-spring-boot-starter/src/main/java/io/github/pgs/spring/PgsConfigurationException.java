package io.github.pgs.spring;

/**
 * The {@code pgs.*} configuration (or the beans around it) cannot make a runtime: a store without what it needs,
 * properties that contradict each other, invalid type options, a behaviour bean that would be shared between
 * servers. Thrown while the context starts; the starter's failure analyzer prints {@link #getMessage()} as the
 * description and {@link #action()} as what to do. Messages name properties and beans, never their secret values.
 */
public class PgsConfigurationException extends RuntimeException {

    private final String action;

    public PgsConfigurationException(String message, String action) {
        super(message);
        this.action = action;
    }

    public PgsConfigurationException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** What to change to make it start. */
    public String action() {
        return action;
    }
}
