package io.parley.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class DatabaseUrlTests {

    @Test
    void jdbcUrlWithCredentialsHasThemSplitOffAndOtherParametersKept() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db.internal:6543/parley?user=owner&sslmode=require&password=s3cret&ApplicationName=parley");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/parley?sslmode=require&ApplicationName=parley");
        assertThat(url.username()).isEqualTo("owner");
        assertThat(url.password()).isEqualTo("s3cret");
    }

    @Test
    void jdbcUrlWithOnlyCredentialsLosesItsQuery() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/parley?user=postgres&password=p%40ss");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/parley");
        assertThat(url.username()).isEqualTo("postgres");
        assertThat(url.password()).as("percent-encoding is decoded").isEqualTo("p@ss");
    }

    @Test
    void jdbcUrlWithUserButNoPassword() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
        assertThat(url.username()).isEqualTo("postgres");
        assertThat(url.password()).isNull();
    }

    @Test
    void jdbcUrlWithoutCredentialsIsKeptAsIs() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://localhost/parley");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/parley");
        assertThat(url.username()).isNull();
        assertThat(url.password()).isNull();
    }

    @Test
    void postgresUrlWithEncodedPasswordAndDefaultPort() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app%2Buser:p%40ss%3Aw%2Fo%25rd@db.example.com/parley");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5432/parley");
        assertThat(url.username()).isEqualTo("app+user");
        assertThat(url.password()).isEqualTo("p@ss:w/o%rd");
    }

    @Test
    void postgresqlSchemeWithPortAndQuery() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://owner:secret@10.0.0.5:6432/parley?sslmode=verify-full");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://10.0.0.5:6432/parley?sslmode=verify-full");
        assertThat(url.username()).isEqualTo("owner");
        assertThat(url.password()).isEqualTo("secret");
    }

    @Test
    void postgresUrlPasswordMayHoldAColonAndAPlus() {
        // userinfo is percent-encoded, not form-encoded: a literal '+' is a plus, not a space (as libpq reads it)
        DatabaseUrl url = DatabaseUrl.parse("postgres://owner:a+b:c@db/parley");

        assertThat(url.username()).isEqualTo("owner");
        assertThat(url.password()).isEqualTo("a+b:c");
    }

    @Test
    void postgresUrlWithoutCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://db.example.com:5433/parley");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5433/parley");
        assertThat(url.username()).isNull();
        assertThat(url.password()).isNull();
    }

    @Test
    void postgresUrlWithUserOnly() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://owner@db.example.com/parley");

        assertThat(url.username()).isEqualTo("owner");
        assertThat(url.password()).isNull();
    }

    @Test
    void otherDatabasesAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> DatabaseUrl.parse("mysql://root:pw@localhost:3306/parley"))
                .withMessageContaining("jdbc:postgresql:");
        assertThatIllegalArgumentException().isThrownBy(() -> DatabaseUrl.parse("jdbc:mysql://localhost:3306/parley"));
        assertThatIllegalArgumentException().isThrownBy(() -> DatabaseUrl.parse("localhost:5432/parley"));
    }

    @Test
    void credentialsNeverStayInTheJdbcUrl() {
        for (String raw : new String[] {
                "jdbc:postgresql://h/db?password=topsecret&user=u",
                "postgres://u:topsecret@h/db",
                "postgresql://u:topsecret@h:1/db?x=1"}) {
            assertThat(DatabaseUrl.parse(raw).jdbcUrl()).as(raw).doesNotContain("topsecret").doesNotContain("u:");
        }
    }
}
