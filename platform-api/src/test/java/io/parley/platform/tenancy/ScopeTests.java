package io.parley.platform.tenancy;

import static io.parley.platform.tenancy.Scope.API_KEYS_READ;
import static io.parley.platform.tenancy.Scope.API_KEYS_WRITE;
import static io.parley.platform.tenancy.Scope.CALLS_READ;
import static io.parley.platform.tenancy.Scope.CALLS_WRITE;
import static io.parley.platform.tenancy.Scope.PERSONAS_READ;
import static io.parley.platform.tenancy.Scope.PERSONAS_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.api.model.ApiKeyScope;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeTests {

    @Test
    void noScopesListedMeansEveryScope() {
        assertThat(Scope.granted(Set.of())).isEqualTo(EnumSet.allOf(Scope.class));
    }

    @Test
    void eachWriteScopeBringsItsReadScopeOnly() {
        assertThat(Scope.granted(Set.of(PERSONAS_WRITE))).containsExactlyInAnyOrder(PERSONAS_WRITE, PERSONAS_READ);
        assertThat(Scope.granted(Set.of(CALLS_WRITE))).containsExactlyInAnyOrder(CALLS_WRITE, CALLS_READ);
        assertThat(Scope.granted(Set.of(API_KEYS_WRITE))).containsExactlyInAnyOrder(API_KEYS_WRITE, API_KEYS_READ);
        assertThat(Scope.granted(Set.of(CALLS_WRITE, PERSONAS_READ))).containsExactlyInAnyOrder(CALLS_WRITE, CALLS_READ, PERSONAS_READ);
    }

    @Test
    void readScopesBringNoWriteScope() {
        assertThat(Scope.granted(Set.of(PERSONAS_READ))).containsExactly(PERSONAS_READ);
        assertThat(Scope.granted(Set.of(PERSONAS_READ, CALLS_READ, API_KEYS_READ)))
                .containsExactlyInAnyOrder(PERSONAS_READ, CALLS_READ, API_KEYS_READ);
    }

    @Test
    void grantingLeavesTheListedSetAlone() {
        Set<Scope> listed = EnumSet.of(CALLS_WRITE);
        Scope.granted(listed);
        assertThat(listed).containsExactly(CALLS_WRITE);
    }

    @Test
    void wireNamesAreTheContractsAndRoundTrip() {
        assertThat(Arrays.stream(Scope.values()).map(Scope::wire))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(ApiKeyScope.values()).map(ApiKeyScope::getValue).toList());
        for (Scope scope : Scope.values()) {
            assertThat(Scope.fromWire(scope.wire())).contains(scope);
            assertThat(scope.authority()).isEqualTo("SCOPE_" + scope.wire());
        }
        assertThat(Scope.fromWire("personas:delete")).isEmpty();
        assertThat(Scope.fromWire("PERSONAS_READ")).isEmpty();
        assertThat(Scope.fromWire(null)).isEmpty();
    }
}
