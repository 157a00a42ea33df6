package io.github.pgs.spring;

import io.github.pgs.LifecycleListener;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spring.internal.BehaviourTypes;
import io.github.pgs.spring.internal.RefInjector;
import io.github.pgs.spring.internal.StoreFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;

/**
 * Auto-configures one {@link ServerRuntime} from {@code pgs.*} properties: its {@link Storage} (SQLite by default;
 * PostgreSQL on the application's {@link DataSource}; Redis), every {@link io.github.pgs.GenServer} bean and
 * {@link ServerType} bean as a type, every {@link LifecycleListener} bean as a listener and every
 * {@link RuntimeObserver} bean as an observer (metrics: {@code PgsMetricsAutoConfiguration}), plus {@link ServerRefs},
 * an {@link Admin} and {@link PersistentRef} field injection.
 *
 * <h2>Lifecycle</h2>
 * The runtime is built when the context starts (the start-up recovery of permanent and remembered servers begins
 * then; {@code pgs.runtime.await-recovery} makes start-up wait for it). At shutdown, after the web server has
 * stopped taking requests, the runtime closes first (every active server petrifies, writing what write-behind
 * holds), then the store, and only then the {@code DataSource} the store used: the runtime depends on the store,
 * which depends on the {@code DataSource}, and Spring destroys dependents first.
 *
 * <p>Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnProperty(prefix = "pgs", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PgsProperties.class)
public class PgsAutoConfiguration {

    /** The store {@code pgs.store} names; closed after the runtime. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Storage.class)
    public Storage pgsStorage(PgsProperties properties, ObjectProvider<DataSource> dataSource) {
        DataSource ds = properties.getStore() == PgsProperties.Store.POSTGRES ? dataSource.getIfUnique() : null;
        return StoreFactory.open(properties, ds, PgsAutoConfiguration.class.getClassLoader());
    }

    /** The runtime; closed (petrifying every server) before the store. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(ServerRuntime.class)
    public ServerRuntime pgsRuntime(PgsProperties properties, Storage storage, ListableBeanFactory beans,
                                    ObjectProvider<StateCodec> codec, ObjectProvider<LifecycleListener> listeners,
                                    ObjectProvider<RuntimeObserver> observers) {
        TypeOptions defaults = BehaviourTypes.defaults(properties.getDefaults());
        PgsProperties.Runtime r = properties.getRuntime();
        ServerRuntime.Builder b;
        try {
            b = ServerRuntime.builder()
                    .name(properties.getName())
                    .storage(storage)
                    .closeStorage(false)
                    .defaultOptions(defaults)
                    .shutdownTimeout(r.getShutdownTimeout())
                    .maxActive(r.getMaxActive() == 0 ? ServerRuntime.UNBOUNDED : r.getMaxActive())
                    .recoveryRate(r.getRecoveryRate())
                    .maxKeyBytes(r.getMaxKeyBytes())
                    .reminderPollInterval(r.getReminderPollInterval())
                    .reminderGrace(r.getReminderGrace());
        } catch (IllegalArgumentException e) {
            throw new PgsConfigurationException("pgs.runtime: " + e.getMessage(), "Fix the pgs.runtime.* setting named.");
        }
        codec.ifAvailable(b::codec);
        listeners.orderedStream().forEach(b::listener);
        observers.orderedStream().forEach(b::observer);
        for (ServerType<?, ?> t : BehaviourTypes.collect(beans, defaults, properties.getTypes())) {
            b.register(t);
        }
        ServerRuntime runtime = b.build();
        if (!r.getAwaitRecovery().isZero() && !runtime.awaitRecovery(r.getAwaitRecovery())) {
            runtime.close();
            throw new PgsConfigurationException("the start-up recovery did not finish within "
                    + "pgs.runtime.await-recovery (" + r.getAwaitRecovery() + ").",
                    "Raise pgs.runtime.await-recovery or pgs.runtime.recovery-rate, or set await-recovery to 0 to "
                            + "let recovery finish while the application serves.");
        }
        return runtime;
    }

    /** Refs of the runtime by behaviour and key. */
    @Bean
    @ConditionalOnMissingBean
    public ServerRefs pgsServerRefs(ServerRuntime runtime) {
        return new ServerRefs(runtime);
    }

    /** The admin API through the runtime (list, inspect, delete, expire, roll back). */
    @Bean
    @ConditionalOnMissingBean
    public Admin pgsAdmin(ServerRuntime runtime) {
        return Admin.of(runtime);
    }

    /** Sets {@link PersistentRef} fields. */
    @Bean
    public static RefInjector pgsRefInjector(ObjectProvider<ServerRuntime> runtime) {
        return new RefInjector(runtime);
    }
}
