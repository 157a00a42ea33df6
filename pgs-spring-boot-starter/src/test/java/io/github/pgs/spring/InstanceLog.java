package io.github.pgs.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every behaviour instance the context creates. */
public class InstanceLog {
    private final List<Object> instances = new CopyOnWriteArrayList<>();

    void created(Object behaviour) {
        instances.add(behaviour);
    }

    public List<Object> instances() {
        return instances;
    }
}
