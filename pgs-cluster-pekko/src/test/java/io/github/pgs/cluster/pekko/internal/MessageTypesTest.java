package io.github.pgs.cluster.pekko.internal;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageTypesTest {

    record Move(int x) {}

    interface Marker {}

    abstract static class Base {}

    static final MessageTypes TYPES = new MessageTypes(MessageTypesTest.class.getClassLoader(),
            Set.of(MessageTypesTest.class.getPackageName()), Set.of(java.util.UUID.class));

    @Test
    void allowedPackage_nestedRecords_andBuiltIns_pass() {
        assertThat(TYPES.allows(Move.class)).isTrue();
        assertThat(TYPES.resolve(Move.class.getName())).isEqualTo(Move.class);
        assertThat(TYPES.resolve("java.lang.String")).isEqualTo(String.class);
        assertThat(TYPES.resolve("java.lang.Long")).isEqualTo(Long.class);
        assertThat(TYPES.resolve("java.util.UUID")).isEqualTo(java.util.UUID.class);
    }

    @Test
    void otherPackages_abstractTypes_andUnknownNames_areRefused_beforeLoading() {
        assertThatThrownBy(() -> TYPES.resolve("java.lang.ProcessBuilder"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not accepted");
        assertThatThrownBy(() -> TYPES.resolve("io.github.pgs.cluster.pekko.internal.sub.Gadget"))
                .hasMessageContaining("not accepted");
        assertThatThrownBy(() -> TYPES.resolve(Marker.class.getName())).hasMessageContaining("not accepted");
        assertThatThrownBy(() -> TYPES.resolve(Base.class.getName())).hasMessageContaining("not accepted");
        assertThatThrownBy(() -> TYPES.resolve(MessageTypesTest.class.getPackageName() + ".Missing"))
                .hasMessageContaining("not found");
        assertThat(TYPES.allows(java.util.ArrayList.class)).isFalse();
        assertThat(TYPES.allows(int[].class)).isFalse();
    }
}
