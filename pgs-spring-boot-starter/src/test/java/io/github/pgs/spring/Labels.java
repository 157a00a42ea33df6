package io.github.pgs.spring;

/** A service injected into behaviours. */
public class Labels {
    private final String prefix;

    public Labels(String prefix) {
        this.prefix = prefix;
    }

    public String label(String name, long count) {
        return prefix + name + "=" + count;
    }
}
