package io.parley.platform.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database itself keeps tenants apart, whatever the application does: these tests talk SQL
 * to PostgreSQL directly, as the application's role and as the owner.
 */
class RowLevelSecurityIntegrationTests extends IntegrationTest {

    private TestTenant a;

    @org.springframework.beans.factory.annotation.Autowired
    private io.parley.platform.calls.DispatchLedger ledger;
    @org.springframework.beans.factory.annotation.Autowired
    private io.parley.platform.recordings.Recordings recordings;

    @BeforeEach
    void tenantWithData() {
        a = newTenant();
        // a webhook endpoint (its call events fill the outbox; the delivery to a closed port fails and is logged) and a do-not-call entry
        assertThat(a.api().post("/v1/webhook-endpoints", io.parley.platform.support.ApiClient.json(java.util.Map.of("url", "http://127.0.0.1:9/rls")))
                .status()).isEqualTo(201);
        assertThat(a.api().post("/v1/do-not-call", io.parley.platform.support.ApiClient.json(java.util.Map.of("phoneNumber", "+442071838759")))
                .status()).isEqualTo(201);
        assertThat(a.api().send("PUT", "/v1/settings", "{\"retry\":{\"maxAttempts\":2}}", "application/json").status()).isEqualTo(200);
        UUID call = UUID.fromString(createCall(a, createPersona(a, "Santa").get("id").asString()).get("id").asString());
        // and a row in every other tenant-owned table: an attempt, as a dispatcher begins one
        java.time.Instant now = java.time.Instant.now().plusSeconds(1);
        ledger.claim("rls-test", 10_000, java.time.Duration.ofSeconds(30), now).stream()
                .filter(c -> c.callId().equals(call))
                .forEach(c -> assertThat(ledger.begin(c, "rls-test", "sandbox", "+14155550199", 10, java.time.Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, now).begun()).isNotNull());
        assertThat(a.api().withHeader("Idempotency-Key", UUID.randomUUID().toString())
                .post("/v1/personas", personaBody("Keyed Santa")).status()).isEqualTo(201);
        // a number, a recorded call's recording (and so the tenant's data key), and a summary
        String persona = createPersona(a, "Receptionist").get("id").asString();
        assertThat(a.api().patch("/v1/personas/" + persona, io.parley.platform.support.ApiClient.json(java.util.Map.of("childSafety", false)))
                .status()).isEqualTo(200);   // a Santa is not recorded in child-safety mode
        // a booking: the persona takes them on Mondays
        java.time.ZoneId london = java.time.ZoneId.of("Europe/London");
        java.time.LocalDate monday = java.time.LocalDate.now(london).plusDays(2).with(java.time.temporal.TemporalAdjusters.nextOrSame(java.time.DayOfWeek.MONDAY));
        assertThat(a.api().patch("/v1/personas/" + persona, io.parley.platform.support.ApiClient.json(java.util.Map.of("booking", java.util.Map.of(
                "timeZone", "Europe/London", "hours", java.util.Map.of("monday", java.util.List.of(java.util.Map.of("start", "09:00", "end", "10:00")))))))
                .status()).isEqualTo(200);
        assertThat(a.api().post("/v1/personas/" + persona + "/bookings", io.parley.platform.support.ApiClient.json(java.util.Map.of(
                "start", monday.atTime(9, 0).atZone(london).toInstant().toString(), "name", "Ada"))).status()).isEqualTo(201);
        assertThat(a.api().send("POST", "/v1/personas/" + persona + "/knowledge?name=hours.txt", "We are open on Saturdays.", "text/plain")
                .status()).isEqualTo(201);   // a document and its passages
        assertThat(a.api().post("/v1/phone-numbers", io.parley.platform.support.ApiClient.json(java.util.Map.of(
                "phoneNumber", "+1415555" + String.format("%04d", (int) (Math.random() * 10_000)), "personaId", persona))).status()).isEqualTo(201);
        var recorded = a.api().post("/v1/calls", io.parley.platform.support.ApiClient.json(java.util.Map.of("personaId", persona,
                "to", "+442071838750", "record", true)));
        UUID recordedCall = UUID.fromString(recorded.json().get("id").asString());
        dialByHand(recordedCall, "hand", "HAND-" + recordedCall, java.time.Instant.now());
        assertThat(recordings.recorded("hand", "HAND-" + recordedCall, new byte[] {1, 2, 3}, java.time.Duration.ofSeconds(1))).isTrue();
        // a callee, and what a persona remembers of them
        assertThat(a.api().post("/v1/callees", io.parley.platform.support.ApiClient.json(java.util.Map.of("phoneNumber", "+442071838750",
                "name", "Ada"))).status()).isEqualTo(201);
        try (Connection owner = TestServices.ownerConnection(); PreparedStatement summary = owner.prepareStatement(
                "insert into call_summaries (tenant_id, call_id, status, next_attempt_at, created_at, updated_at)"
                        + " values (?, ?, 'pending', now(), now(), now())");
             PreparedStatement memory = owner.prepareStatement("insert into callee_memories (tenant_id, call_id, persona_id, phone_number, summary, created_at)"
                     + " select tenant_id, id, persona_id, to_number, 'Ada likes reindeer.', now() from calls where tenant_id = ? and id = ?")) {
            summary.setObject(1, a.id());
            summary.setObject(2, call);
            summary.executeUpdate();
            memory.setObject(1, a.id());
            memory.setObject(2, call);
            memory.executeUpdate();
            // a subscription, as Stripe's webhooks leave one
            try (PreparedStatement billing = owner.prepareStatement("insert into billing_accounts (tenant_id, mode, stripe_customer_id, plan,"
                    + " status, created_at, updated_at) values (?, 'test', ?, 'starter', 'active', now(), now())")) {
                billing.setObject(1, a.id());
                billing.setString(2, "cus_rls_" + a.id());
                billing.executeUpdate();
            }
            // and a leg of usage in the ledger
            try (PreparedStatement usage = owner.prepareStatement("insert into usage_ledger (id, tenant_id, call_id, persona_id, mode,"
                    + " source_event_id, meter, provider, quantity, cost_estimate_micros, occurred_at)"
                    + " select gen_random_uuid(), tenant_id, id, persona_id, mode, gen_random_uuid(), 'call_seconds', 'sandbox', 42, 0, now()"
                    + " from calls where tenant_id = ? and id = ?")) {
                usage.setObject(1, a.id());
                usage.setObject(2, call);
                usage.executeUpdate();
            }
            // and its report to Stripe's meter
            try (PreparedStatement report = owner.prepareStatement("insert into meter_reports (tenant_id, call_id, mode, identifier, customer_id,"
                    + " minutes, created_at) values (?, ?, 'test', ?, 'cus_rls', 1, now())")) {
                report.setObject(1, a.id());
                report.setObject(2, call);
                report.setString(3, "parley-call-" + call);
                report.executeUpdate();
            }
            // and a spend alert sent
            try (PreparedStatement alert = owner.prepareStatement("insert into billing_alerts (tenant_id, mode, period_start, threshold,"
                    + " spend_cents, cap_cents, reached_at) values (?, 'test', date_trunc('month', now()), 50, 50, 100, now())")) {
                alert.setObject(1, a.id());
                alert.executeUpdate();
            }
            // and a day's reconciliation with Stripe's meter
            try (PreparedStatement reconciled = owner.prepareStatement("insert into meter_reconciliations (tenant_id, mode, day, customer_id, ours,"
                    + " stripe, outcome, checked_at) values (?, 'test', current_date, 'cus_rls', 1, 1, 'ok', now())")) {
                reconciled.setObject(1, a.id());
                reconciled.executeUpdate();
            }
            // and prepaid credits bought
            try (PreparedStatement credit = owner.prepareStatement("insert into credit_grants (tenant_id, mode, source, customer_id, amount_cents,"
                    + " currency, created_at) values (?, 'test', 'cs_rls', 'cus_rls', 1000, 'usd', now())")) {
                credit.setObject(1, a.id());
                credit.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(15);
        while (ownerCount("webhook_attempts") == 0) {
            assertThat(java.time.Instant.now()).as("a webhook attempt logged").isBefore(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Tables holding tenant data: every table with a tenant_id column, and tenants itself. */
    private static List<String> tenantOwnedTables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("""
                select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind in ('r', 'p')
                  and (c.relname = 'tenants' or exists (
                       select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped))
                order by 1""")) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        return tables;
    }

    @Test
    void everyTenantOwnedTableHasForcedRowLevelSecurityWithUsingAndWithCheck() throws SQLException {
        try (Connection c = TestServices.ownerConnection()) {
            List<String> tables = tenantOwnedTables(c);
            assertThat(tables).contains("tenants", "api_keys", "personas", "calls", "call_events", "idempotency_keys");
            List<String> failures = new ArrayList<>();
            for (String table : tables) {
                try (PreparedStatement s = c.prepareStatement("""
                        select c.relrowsecurity, c.relforcerowsecurity,
                               exists (select 1 from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname
                                        and p.cmd = 'ALL' and p.permissive = 'PERMISSIVE' and p.roles = '{public}'
                                        and p.qual like '%parley_current_tenant()%' and p.with_check like '%parley_current_tenant()%'),
                               (select count(*) from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname
                                        and ('public' = any(p.roles) or 'parley_app' = any(p.roles)))
                        from pg_class c where c.relname = ? and c.relnamespace = 'public'::regnamespace""")) {
                    s.setString(1, table);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) failures.add(table + ": row-level security not enabled");
                        if (!rs.getBoolean(2)) failures.add(table + ": row-level security not forced");
                        if (!rs.getBoolean(3)) failures.add(table + ": no tenant policy with USING and WITH CHECK");
                        if (rs.getLong(4) != 1) failures.add(table + ": the application role is subject to " + rs.getLong(4) + " policies, not exactly the tenant one");
                    }
                }
            }
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void theApplicationRoleOwnsNothingAndCannotBypassRowLevelSecurity() throws SQLException {
        try (Connection c = TestServices.appConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     select current_user, r.rolsuper, r.rolbypassrls,
                            (select count(*) from pg_class c where c.relowner = r.oid)
                     from pg_roles r where r.rolname = current_user""")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("parley_app");
            assertThat(rs.getBoolean(2)).as("superuser").isFalse();
            assertThat(rs.getBoolean(3)).as("bypassrls").isFalse();
            assertThat(rs.getLong(4)).as("relations owned").isZero();
        }
    }

    @Test
    void rawSqlWithNoTenantSetSeesNoRows() throws SQLException {
        try (Connection owner = TestServices.ownerConnection(); Connection app = TestServices.appConnection()) {
            for (String table : tenantOwnedTables(owner)) {
                assertThat(count(owner, table)).as("rows the owner sees in %s", table).isPositive();
                assertThat(count(app, table)).as("rows the application sees in %s with no tenant set", table).isZero();
            }
        }
    }

    @Test
    void rawSqlWithATenantSetSeesOnlyThatTenant() throws SQLException {
        TestTenant b = newTenant();
        createPersona(b, "B's Santa");
        try (Connection app = TestServices.appConnection()) {
            app.setAutoCommit(false);
            setTenant(app, b.id());
            try (ResultSet rs = app.createStatement().executeQuery("select distinct tenant_id from personas")) {
                List<UUID> seen = new ArrayList<>();
                while (rs.next()) seen.add(rs.getObject(1, UUID.class));
                assertThat(seen).containsExactly(b.id());
            }
            app.rollback();
        }
    }

    @Test
    void writesOutsideTheBoundTenantAreRefused() throws SQLException {
        TestTenant b = newTenant();
        try (Connection app = TestServices.appConnection()) {
            app.setAutoCommit(false);
            // no tenant: WITH CHECK refuses any row
            assertThatThrownBy(() -> insertPersona(app, a.id()))
                    .isInstanceOf(SQLException.class).hasMessageContaining("row-level security");
            app.rollback();
            // bound to B: a row of A's is refused too
            setTenant(app, b.id());
            assertThatThrownBy(() -> insertPersona(app, a.id()))
                    .isInstanceOf(SQLException.class).hasMessageContaining("row-level security");
            app.rollback();
            // and B cannot move its rows to A
            setTenant(app, b.id());
            insertPersona(app, b.id());
            assertThatThrownBy(() -> app.createStatement().executeUpdate("update personas set tenant_id = '" + a.id() + "'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("row-level security");
            app.rollback();
        }
    }

    @Test
    void theTenantSettingLastsOneTransactionOnly() throws SQLException {
        try (Connection app = TestServices.appConnection()) {
            app.setAutoCommit(false);
            setTenant(app, a.id());
            assertThat(count(app, "personas")).isPositive();
            app.commit();
            // a pooled connection handed to the next request carries no tenant over
            assertThat(count(app, "personas")).isZero();
            app.rollback();
        }
    }

    @Test
    void callEventsAreAppendOnlyForTheApplication() throws SQLException {
        try (Connection app = TestServices.appConnection()) {
            app.setAutoCommit(false);
            setTenant(app, a.id());
            assertThatThrownBy(() -> app.createStatement().executeUpdate("update call_events set reason = 'rewritten'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            app.rollback();
            setTenant(app, a.id());
            assertThatThrownBy(() -> app.createStatement().executeUpdate("delete from call_events"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            app.rollback();
        }
    }

    private static void setTenant(Connection c, UUID tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select set_config('app.tenant_id', ?, true)")) {
            s.setString(1, tenant.toString());
            s.execute();
        }
    }

    private static void insertPersona(Connection c, UUID tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                insert into personas (id, tenant_id, name, kind, system_prompt, first_message, language, voice_provider, voice_id, created_at, updated_at)
                values (?, ?, 'x', 'custom', 'p', 'm', 'en-US', 'offline', 'v', now(), now())""")) {
            s.setObject(1, Ids.next());
            s.setObject(2, tenant);
            s.executeUpdate();
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
