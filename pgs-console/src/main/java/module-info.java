/**
 * The PersistentGenServer admin console: a web page and its JSON API over the admin API, and a standalone server
 * on the JDK's HTTP server. Only {@code io.github.pgs.console} is exported.
 */
module io.github.pgs.console {
    requires transitive io.github.pgs.core;
    requires jdk.httpserver;

    exports io.github.pgs.console;
}
