package io.github.pgs.spring;

import io.github.pgs.ServerRef;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The beans the test behaviours need, and a bean holding an injected ref. */
@Configuration(proxyBeanMethods = false)
public class Services {

    @Bean
    Labels labels() {
        return new Labels("#");
    }

    @Bean
    InstanceLog instanceLog() {
        return new InstanceLog();
    }

    @Bean
    Lobby lobby() {
        return new Lobby();
    }

    /** A bean with a ref injected by type and key. */
    public static class Lobby {
        @PersistentRef(type = Counter.class, key = "lobby")
        ServerRef counter;

        public ServerRef counter() {
            return counter;
        }
    }
}
