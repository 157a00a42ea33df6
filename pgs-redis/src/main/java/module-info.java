/**
 * The Redis store for PersistentGenServer: {@link io.github.pgs.redis.RedisStorage}, one Lua compare-and-set
 * per write, pipelined group commit, through Lettuce.
 */
@SuppressWarnings("requires-transitive-automatic")
module io.github.pgs.redis {
    requires transitive io.github.pgs.core;
    // RedisClient and RedisURI appear in RedisStorage.open, so users of this module can name them.
    requires transitive lettuce.core;

    exports io.github.pgs.redis;
}
