package io.github.pgs.examples.spring;

import io.github.pgs.ServerType;
import io.github.pgs.examples.game.Player;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The game of the seed as a REST service: one persistent server per player, on the Spring Boot starter. The
 * starter builds the runtime from application.properties; this class only says which behaviour to run.
 */
@SpringBootApplication
public class GameApplication {

    /** The player type; its options come from pgs.types.player.* in application.properties. */
    @Bean
    ServerType<String, Player.State> players() {
        return ServerType.of(Player.class);
    }

    public static void main(String[] args) {
        SpringApplication.run(GameApplication.class, args);
    }
}
