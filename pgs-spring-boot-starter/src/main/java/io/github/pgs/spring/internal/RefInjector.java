package io.github.pgs.spring.internal;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.spring.PersistentRef;
import io.github.pgs.spring.PgsConfigurationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Sets the fields annotated {@link PersistentRef} of every bean to the ref they name, before the bean's own
 * initialisation. The runtime is looked up on the first such field, so beans without one never depend on it.
 */
public final class RefInjector implements BeanPostProcessor {

    private final ObjectProvider<ServerRuntime> runtime;

    public RefInjector(ObjectProvider<ServerRuntime> runtime) {
        this.runtime = runtime;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        Class<?> cls = ClassUtils.getUserClass(bean);
        ReflectionUtils.doWithFields(cls, field -> {
            PersistentRef ref = field.getAnnotation(PersistentRef.class);
            if (field.getType() != ServerRef.class) {
                throw new PgsConfigurationException("@PersistentRef on " + cls.getName() + "." + field.getName()
                        + ", a field of type " + field.getType().getSimpleName() + ".",
                        "Declare the field as io.github.pgs.ServerRef.");
            }
            ServerId id;
            try {
                id = new ServerId(ServerType.defaultName(ref.type()), ref.key());
            } catch (IllegalArgumentException e) {
                throw new PgsConfigurationException("@PersistentRef on " + cls.getName() + "." + field.getName()
                        + ": " + e.getMessage(), "Fix the annotation's type or key.");
            }
            ReflectionUtils.makeAccessible(field);
            ReflectionUtils.setField(field, bean, runtime.getObject().ref(id));
        }, field -> field.isAnnotationPresent(PersistentRef.class));
        return bean;
    }
}
