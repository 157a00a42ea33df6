package io.github.pgs.examples.spring;

import io.github.pgs.KeyTooLongException;
import io.github.pgs.examples.game.Player;
import io.github.pgs.spring.ServerRefs;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /players/{name}/moves} with {@code {"dx": 1, "dy": 2}} moves a player and answers the new score;
 * {@code GET /players/{name}/score} reads it; {@code GET /players/top?limit=10} lists the best players from the
 * stored states. A player who never played starts fresh on their first move (virtual activation).
 */
@RestController
public class GameController {

    private final ServerRefs refs;
    private final Leaderboard leaderboard;

    public GameController(ServerRefs refs, Leaderboard leaderboard) {
        this.refs = refs;
        this.leaderboard = leaderboard;
    }

    /** A move. */
    public record Move(int dx, int dy) {}

    /** A player's score. */
    public record Score(String player, long score) {}

    @PostMapping("/players/{name}/moves")
    public Score move(@PathVariable String name, @RequestBody Move move) {
        long score = refs.of(Player.class, name).call(new Player.Move(move.dx(), move.dy()));
        return new Score(name, score);
    }

    @GetMapping("/players/{name}/score")
    public Score score(@PathVariable String name) {
        return new Score(name, refs.of(Player.class, name).call(new Player.ReadScore()));
    }

    @GetMapping("/players/top")
    public List<Score> top(@RequestParam(defaultValue = "10") int limit) {
        if (limit < 1 || limit > Leaderboard.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + Leaderboard.MAX_LIMIT);
        }
        return leaderboard.top(limit);
    }

    @ExceptionHandler({IllegalArgumentException.class, KeyTooLongException.class})
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    public Map<String, String> badRequest(RuntimeException e) {
        return Map.of("error", e.getMessage());
    }
}
