package io.github.pgs.spring;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link io.github.pgs.GenServer} class as a Spring bean whose servers the starter runs: a prototype-scoped
 * component, so that every activation gets a fresh instance from the context with its dependencies injected.
 * The type name is the class's {@link io.github.pgs.TypeName} (pin it), its options come from
 * {@code pgs.defaults.*} and {@code pgs.types.NAME.*}.
 *
 * <pre>{@code
 * @PersistentServer
 * @TypeName("player")
 * public class Player implements GenServer<String, Player.State> {
 *     private final ScoreRules rules;                 // any bean
 *     public Player(ScoreRules rules) { this.rules = rules; }
 *     ...
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Component
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
public @interface PersistentServer {
}
