package io.github.pgs.redis;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.RawRows;
import io.github.pgs.testkit.tck.StorageContract;
import org.junit.jupiter.api.AfterAll;

/** The storage conformance suite against {@link RedisStorage} on the test Redis, in a namespace of its own. */
class RedisStorageContractTest extends StorageContract {

    private static final String NAMESPACE = RedisTestSupport.newNamespace("tck");

    @Override
    protected Storage newStorage() {
        return RedisStorage.open(RedisTestSupport.uri(), RedisOptions.builder().namespace(NAMESPACE).build());
    }

    @Override
    protected RawRows rawRows() {
        return new RedisRawRows(NAMESPACE);
    }

    @AfterAll
    static void purge() {
        RedisTestSupport.purge(NAMESPACE);
    }
}
