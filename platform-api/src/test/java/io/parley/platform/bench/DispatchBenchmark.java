package io.parley.platform.bench;

import io.parley.platform.ParleyApplication;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Dispatch throughput and lateness: {@code calls} calls due at the same instant, spread over
 * {@code tenants} tenants, dispatched by {@code instances} platform-api applications (each its own Spring
 * context, connection pool and dispatcher, in this one JVM) through the sandbox carrier, with caps high
 * enough not to bind. A program, not a test: it prints figures and never asserts.
 *
 * <p>Ends with {@code BENCH dispatched=.. duplicates=.. p99_lateness_ms=.. seconds=..}: calls placed,
 * calls placed more than once (extra placements) or never, the 99th percentile of due time to the
 * carrier's answer being recorded, and due time to the last call placed.
 */
public final class DispatchBenchmark {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("calls", "10000", "instances", "3", "tenants", "50", "parallelism", "64",
                "batch", "100"));
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            String[] kv = arg.split("=", 2);
            if (kv.length == 2) {
                options.put(kv[0], kv[1]);
            }
        }
        int calls = Integer.parseInt(options.get("calls"));
        int instances = Integer.parseInt(options.get("instances"));
        int tenants = Integer.parseInt(options.get("tenants"));
        String sandbox = "parley:sandbox:bench:" + UUID.randomUUID() + ":";
        TestServices.configure();
        System.out.printf("dispatch benchmark: %,d calls, %d tenants, %d instances, %d cores%n", calls, tenants, instances,
                Runtime.getRuntime().availableProcessors());

        List<ConfigurableApplicationContext> apps = new ArrayList<>();
        try {
            for (int i = 1; i <= instances; i++) {
                apps.add(new SpringApplicationBuilder(ParleyApplication.class).run(
                        "--server.port=0",
                        "--spring.main.banner-mode=off",
                        "--logging.level.root=warn",
                        "--parley.call-events.enabled=false",
                        "--parley.dispatch.enabled=true",
                        "--parley.dispatch.name=bench-" + i,
                        "--parley.dispatch.poll=100ms",
                        "--parley.dispatch.parallelism=" + options.get("parallelism"),
                        "--parley.dispatch.batch-size=" + options.get("batch"),
                        "--parley.dispatch.max-active-calls-per-tenant=1000000",
                        "--parley.dispatch.calls-per-second-per-number=1000000",
                        // whatever the hour where the test number lies; and dialling alone: the callee stays silent
                        "--parley.compliance.enabled=false",
                        "--parley.runtime.stream-url=",
                        "--parley.telephony.sandbox-key-prefix=" + sandbox,
                        "--parley.telephony.sandbox-ring=" + options.getOrDefault("ring", "3s")));
            }
            int port = ((WebServerApplicationContext) apps.getFirst()).getWebServer().getPort();
            List<UUID[]> tenantPersonas = tenants(port, tenants);

            Instant due = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            insertDueCalls(tenantPersonas, calls, due);
            Thread.sleep(Math.max(0, java.time.Duration.between(Instant.now(), due).toMillis()));
            long[] cpuAtDue = cpu();
            System.out.printf("%,d calls due at %s; %d instances dispatching%n", calls, due, instances);

            StringRedisTemplate redis = apps.getFirst().getBean(StringRedisTemplate.class);
            Instant deadline = due.plusSeconds(120);
            long placed = 0;
            while (Instant.now().isBefore(deadline)) {
                placed = redis.opsForHash().size(sandbox + "placements");
                if (placed >= calls) {
                    break;
                }
                Thread.sleep(100);
            }
            long[] cpuAtEnd = cpu();
            Thread.sleep(500);   // let the last answers be recorded
            // the budget: 10,000 calls in 10 s on n cores leave n/1000 core-seconds a call for everything (the instances, PostgreSQL, Redis)
            System.out.printf("CPU a call placed (due -> last placed): %.2f ms in the instances, %.2f ms on the whole machine (%d cores)%n",
                    (cpuAtEnd[0] - cpuAtDue[0]) / 1e6 / Math.max(1, placed), (cpuAtEnd[1] - cpuAtDue[1]) / 1e6 / Math.max(1, placed),
                    Runtime.getRuntime().availableProcessors());
            report(redis, sandbox, calls, due);
        } finally {
            apps.forEach(ConfigurableApplicationContext::close);
        }
        System.exit(0);
    }

    /**
     * CPU time so far, in nanoseconds: this JVM's (the instances), and the whole machine's busy time from
     * /proc/stat (Linux; 0 elsewhere).
     */
    private static long[] cpu() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long machine = 0;
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal: busy is all but idle and iowait, in USER_HZ (1/100 s)
            for (int i = 1; i <= 8 && i < f.length; i++) {
                if (i != 4 && i != 5) {
                    machine += Long.parseLong(f[i]);
                }
            }
            machine *= 10_000_000L;
        } catch (java.io.IOException | RuntimeException e) {
            machine = 0;
        }
        return new long[] {jvm, machine};
    }

    /** Tenants made through the API, each with a persona. */
    private static List<UUID[]> tenants(int port, int n) {
        String base = "http://127.0.0.1:" + port;
        List<UUID[]> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ApiClient.Response tenant = new ApiClient(base, TestServices.OPERATOR_TOKEN).post("/v1/tenants",
                    ApiClient.json(Map.of("name", "Bench " + i)));
            ApiClient api = new ApiClient(base, tenant.json().get("apiKey").asString());
            ApiClient.Response persona = api.post("/v1/personas", ApiClient.json(Map.of("name", "Santa", "kind", "santa",
                    "systemPrompt", "You are Santa Claus.", "firstMessage", "Ho ho ho!")));
            made.add(new UUID[] {UUID.fromString(tenant.json().get("id").asString()), UUID.fromString(persona.json().get("id").asString())});
        }
        return made;
    }

    private static void insertDueCalls(List<UUID[]> tenants, int n, Instant due) throws Exception {
        try (Connection db = TestServices.ownerConnection(); PreparedStatement insert = db.prepareStatement("""
                insert into calls (id, tenant_id, persona_id, to_number, status, mode, scheduled_at, time_zone, time_zone_source,
                                   variables, created_at, updated_at)
                values (?, ?, ?, '+14155550100', 'scheduled', 'test', ?, 'America/Los_Angeles', 'inferred', '{}'::jsonb, now(), now())""")) {
            db.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                UUID[] tenant = tenants.get(i % tenants.size());
                insert.setObject(1, Ids.next());
                insert.setObject(2, tenant[0]);
                insert.setObject(3, tenant[1]);
                insert.setTimestamp(4, Timestamp.from(due));
                insert.addBatch();
                if (i % 1000 == 999) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
            db.commit();
        }
    }

    private static void report(StringRedisTemplate redis, String sandbox, int calls, Instant due) throws Exception {
        Map<Object, Object> placements = redis.opsForHash().entries(sandbox + "placements");
        long extra = placements.values().stream().mapToLong(v -> Long.parseLong((String) v) - 1).sum();
        long never;
        double p50;
        double p99;
        double max;
        double seconds;
        Map<String, Long> byDispatcher = new java.util.TreeMap<>();
        try (Connection db = TestServices.ownerConnection(); Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("""
                    select count(*) filter (where not exists (select 1 from call_attempts a where a.call_id = c.id and a.provider_call_id is not null))
                      from calls c where c.to_number = '+14155550100' and c.mode = 'test'""")) {
                rs.next();
                never = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("""
                    select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms), max(ms),
                           extract(epoch from max(a.dialed_at) - min(c.scheduled_at))
                      from (select a.dialed_at, a.call_id, extract(epoch from a.dialed_at - c.scheduled_at) * 1000 as ms
                              from call_attempts a join calls c on c.id = a.call_id where a.provider_call_id is not null) a
                      join calls c on c.id = a.call_id""")) {
                rs.next();
                p50 = rs.getDouble(1);
                p99 = rs.getDouble(2);
                max = rs.getDouble(3);
                seconds = rs.getDouble(4);
            }
            try (ResultSet rs = s.executeQuery("""
                    select xact_commit + xact_rollback, tup_inserted, tup_updated, tup_fetched from pg_stat_database where datname = current_database()""")) {
                rs.next();
                System.out.printf("database work per call: %.1f transactions, %.1f rows inserted, %.1f updated, %.1f fetched%n",
                        rs.getDouble(1) / calls, rs.getDouble(2) / calls, rs.getDouble(3) / calls, rs.getDouble(4) / calls);
            }
            try (ResultSet rs = s.executeQuery("""
                    select relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch from pg_stat_user_tables
                     where seq_tup_read + coalesce(idx_tup_fetch, 0) > 0 order by seq_tup_read + coalesce(idx_tup_fetch, 0) desc limit 8""")) {
                while (rs.next()) {
                    System.out.printf("  %s: %d seq scans reading %d rows, %d index scans fetching %d%n", rs.getString(1), rs.getLong(2),
                            rs.getLong(3), rs.getLong(4), rs.getLong(5));
                }
            }
            if (System.getenv("BENCH_STATEMENTS") != null) {
                try (ResultSet rs = s.executeQuery("""
                        select calls, round(total_exec_time::numeric, 0), rows, shared_blks_hit, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)
                          from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
                         order by total_exec_time desc limit 25""")) {
                    while (rs.next()) {
                        System.out.printf("  %7d calls %7s ms %8d rows %9d blks  %s%n", rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5));
                    }
                }
            }
            StringBuilder perSecond = new StringBuilder();
            try (ResultSet rs = s.executeQuery("""
                    select floor(extract(epoch from a.dialed_at - c.scheduled_at))::int as second, count(*)
                      from call_attempts a join calls c on c.id = a.call_id where a.dialed_at is not null group by 1 order by 1""")) {
                while (rs.next()) {
                    perSecond.append(' ').append(rs.getInt(1)).append("s:").append(rs.getLong(2));
                }
            }
            System.out.println("calls placed per second after the due time:" + perSecond);
            try (ResultSet rs = s.executeQuery("select dispatcher, count(*) from call_attempts group by dispatcher")) {
                while (rs.next()) {
                    byDispatcher.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        System.out.printf("placed: %,d of %,d calls; extra placements %d; never placed %d%n", placements.size(), calls, extra, never);
        System.out.printf("lateness (due -> carrier's answer recorded): p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", p50, p99, max);
        System.out.printf("due -> last call placed: %.2f s (%.0f calls/s)%n", seconds, calls / Math.max(seconds, 0.001));
        System.out.println("attempts by dispatcher: " + byDispatcher);
        System.out.printf("BENCH dispatched=%d duplicates=%d p99_lateness_ms=%.0f seconds=%.2f%n",
                placements.size(), extra + never, p99, seconds);
        redis.delete(List.of(sandbox + "placements"));
    }
}
