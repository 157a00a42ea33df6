/**
 * The embedded default store of PersistentGenServer: one SQLite file in WAL mode, written with group commit.
 * Only {@code io.github.pgs.sqlite} is exported; {@code io.github.pgs.sqlite.internal} is not.
 *
 * <p>sqlite-jdbc loads a native library with {@link System#load}; on JDK 22 and later run with
 * {@code --enable-native-access=org.xerial.sqlitejdbc} (module path) or {@code --enable-native-access=ALL-UNNAMED}
 * (class path) to avoid the JDK's warning.
 */
module io.github.pgs.sqlite {
    requires transitive io.github.pgs.core;
    requires java.sql;
    requires org.xerial.sqlitejdbc;

    exports io.github.pgs.sqlite;

    provides io.github.pgs.spi.DefaultStorageProvider with io.github.pgs.sqlite.SqliteDefaultStorageProvider;
}
