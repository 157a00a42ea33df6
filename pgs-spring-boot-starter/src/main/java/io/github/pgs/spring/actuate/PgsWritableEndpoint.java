package io.github.pgs.spring.actuate;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.Deletion;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import java.util.Locale;

/**
 * {@link PgsEndpoint} with the repairs as a write operation ({@code POST /actuator/pgs/TYPE/KEY} with a JSON body
 * {@code {"action": "release" | "rollback" | "reset" | "delete", "steps": K, "version": V}}). Registered instead of
 * the read-only endpoint only when {@code pgs.endpoint.writes-enabled=true}; the application's security decides who
 * may call it, as for every actuator endpoint.
 */
@Endpoint(id = "pgs")
public class PgsWritableEndpoint extends PgsEndpoint {

    public PgsWritableEndpoint(ServerRuntime runtime, Admin admin) {
        super(runtime, admin);
    }

    /** What an action did. */
    public record Result(String id, String action, String message, long version) {}

    @WriteOperation
    public Result repair(@Selector String type, @Selector String key, String action, @Nullable Integer steps,
                         @Nullable Long version) {
        ServerId id = new ServerId(type, key);
        return switch (action.toLowerCase(Locale.ROOT)) {
            case "release" -> new Result(id.toString(), "release",
                    admin.release(id) ? "released" : "was not quarantined", -1);
            case "rollback" -> {
                if (steps == null) {
                    throw new IllegalArgumentException("rollback needs steps (1 = the previous version)");
                }
                long v = admin.rollback(id, steps);
                yield new Result(id.toString(), "rollback", "rolled back " + steps, v);
            }
            case "reset" -> {
                runtime.reset(id);
                yield new Result(id.toString(), "reset", "the next message starts it fresh", -1);
            }
            case "delete" -> {
                if (version == null) {
                    throw new IllegalArgumentException("delete needs the version to delete");
                }
                Deletion d = admin.delete(id, version);
                yield new Result(id.toString(), "delete", "deleted version " + d.deletedVersion(),
                        d.tombstoneVersion());
            }
            default -> throw new IllegalArgumentException("action must be release, rollback, reset or delete");
        };
    }
}
