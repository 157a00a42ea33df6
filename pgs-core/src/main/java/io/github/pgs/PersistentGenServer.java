package io.github.pgs;

import io.github.pgs.spi.DefaultStorageProvider;
import io.github.pgs.spi.Storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The one-line switch from an ephemeral server to a persistent one: {@code GenServer.start(Player.class, "Vorpal")}
 * becomes {@code PersistentGenServer.start(Player.class, "Vorpal")}.
 *
 * <p>These static methods use the JVM-wide default runtime, created on first use with the default store found
 * on the class path (the embedded SQLite store of {@code pgs-sqlite}: the file named by the system property
 * {@code pgs.sqlite.path}, else the environment variable {@code PGS_SQLITE_PATH}, else
 * {@code ./pgs-data/pgs.db}) and the default codec ({@code pgs-jackson}). The default runtime is closed by a
 * shutdown hook. Applications that need more control build their own {@link ServerRuntime}.
 */
public final class PersistentGenServer {

    private static volatile ServerRuntime defaultRuntime;

    private PersistentGenServer() {
    }

    /**
     * Starts (or revives) the persistent server of {@code behaviour} identified by {@code args} in the default
     * runtime; see {@link ServerRuntime#start(Class, Object)}.
     */
    public static <A> ServerRef start(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return defaultRuntime().start(behaviour, args);
    }

    /** The ref of a server of the default runtime, without starting it; see {@link ServerRuntime#ref}. */
    public static <A> ServerRef ref(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return defaultRuntime().ref(behaviour, args);
    }

    /**
     * The default runtime, created on first use.
     *
     * @throws IllegalStateException if no default store is on the class path
     */
    public static ServerRuntime defaultRuntime() {
        ServerRuntime r = defaultRuntime;
        if (r == null) {
            synchronized (PersistentGenServer.class) {
                r = defaultRuntime;
                if (r == null) {
                    Storage storage = defaultStorage();
                    r = ServerRuntime.builder().name("default").storage(storage).closeStorage(true).build();
                    ServerRuntime closing = r;
                    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("pgs-default-shutdown")
                            .unstarted(() -> {
                                try {
                                    closing.close();
                                } catch (RuntimeException e) {
                                    System.getLogger("io.github.pgs").log(System.Logger.Level.ERROR,
                                            "closing the default runtime failed", e);
                                }
                            }));
                    defaultRuntime = r;
                }
            }
        }
        return r;
    }

    private static Storage defaultStorage() {
        List<DefaultStorageProvider> providers = new ArrayList<>();
        ServiceLoader.load(DefaultStorageProvider.class).forEach(providers::add);
        DefaultStorageProvider p = providers.stream().max(Comparator.comparingInt(DefaultStorageProvider::priority))
                .orElseThrow(() -> new IllegalStateException("no default store on the class path; add "
                        + "io.github.pgs:pgs-sqlite (embedded) or build a ServerRuntime with a store"));
        return p.openDefault();
    }
}
