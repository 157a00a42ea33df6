package io.github.pgs.redis;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.HostileRowContract;
import io.github.pgs.testkit.tck.RawRows;
import org.junit.jupiter.api.AfterAll;

/** The hostile-row kit on Redis, in a namespace of its own, removed at the end. */
class RedisHostileRowTest extends HostileRowContract {

    private static final String NAMESPACE = RedisTestSupport.newNamespace("hostile");

    @AfterAll
    static void purge() {
        RedisTestSupport.purge(NAMESPACE);
    }

    @Override
    protected Storage newStorage() {
        return RedisTestSupport.open(NAMESPACE);
    }

    @Override
    protected RawRows rawRows() {
        return new RedisRawRows(NAMESPACE);
    }
}
