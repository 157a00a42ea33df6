package io.github.pgs.jackson;

import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateCodecProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class JsonStateCodecProviderTest {

    @Test
    void serviceLoader_findsTheJsonProvider_withPriorityZero() {
        List<StateCodecProvider> providers = new ArrayList<>();
        ServiceLoader.load(StateCodecProvider.class).forEach(providers::add);

        assertThat(providers).anySatisfy(p -> {
            assertThat(p).isInstanceOf(JsonStateCodecProvider.class);
            assertThat(p.priority()).isZero();
        });
    }

    @Test
    void provider_createsATextCodecNamedJson() {
        StateCodec codec = new JsonStateCodecProvider().create();

        assertThat(codec).isInstanceOf(JsonStateCodec.class);
        assertThat(codec.name()).isEqualTo("json");
        assertThat(codec.isText()).isTrue();
    }
}
