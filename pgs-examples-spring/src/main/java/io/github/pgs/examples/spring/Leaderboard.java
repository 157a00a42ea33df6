package io.github.pgs.examples.spring;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.examples.game.Player;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StoredState;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The best players, read from the stored states without waking any player: the keys of type {@code player} page
 * by page, each page's states loaded at once and decoded with the runtime's codec, the best {@code limit} kept in
 * a small heap. Players write through (the default), so what is stored is what they answer. It reads every player,
 * so its time grows with their number: an example, not a ranking service.
 */
@Service
public class Leaderboard {

    /** The longest list answered. */
    public static final int MAX_LIMIT = 100;
    private static final int PAGE = 500;
    private static final Comparator<GameController.Score> BY_SCORE =
            Comparator.comparingLong(GameController.Score::score).thenComparing(GameController.Score::player,
                    Comparator.reverseOrder());

    private final ServerRuntime runtime;

    public Leaderboard(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    public List<GameController.Score> top(int limit) {
        PriorityQueue<GameController.Score> best = new PriorityQueue<>(BY_SCORE);
        String type = ServerType.defaultName(Player.class);
        KeyCursor after = null;
        do {
            KeyPage page = runtime.storage().list(type, after, PAGE);
            List<ServerId> ids = page.keys().stream().map(k -> new ServerId(type, k)).toList();
            for (Map.Entry<ServerId, StoredState> e : runtime.storage().loadAll(ids).entrySet()) {
                if (!e.getValue().hasPayload()) {
                    continue;
                }
                Player.State s = (Player.State) runtime.codec().decode(e.getValue().payload(), Player.State.class,
                        runtime::ref);
                best.add(new GameController.Score(e.getKey().key(), s.score()));
                if (best.size() > limit) {
                    best.poll();
                }
            }
            after = page.next();
        } while (after != null);
        List<GameController.Score> out = new ArrayList<>(best);
        out.sort(BY_SCORE.reversed());
        return out;
    }
}
