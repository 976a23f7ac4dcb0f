package io.parley.platform.calls;

import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import java.sql.Array;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A tenant's own defaults for its calls (table {@code tenant_settings}): the calling window checked when each
 * call is dialled, and the retry policy of calls that give none. Each part is the tenant's when set, else the
 * platform's. Emergency and premium-rate numbers and the do-not-call list do not depend on them.
 */
@Component
public class TenantCallSettings {

    /** The calling window, if the tenant set one. */
    public record Window(boolean enabled, LocalTime start, LocalTime end) {}

    /** What the tenant set; a null part is the platform's default. */
    public record Settings(Window window, Call.RetryPolicy retry, Instant updatedAt, Integer recordingRetentionDays) {
        public static final Settings NONE = new Settings(null, null, null, null);
    }

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    public TenantCallSettings(TenantTransactions transactions, JdbcTemplate jdbc, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Settings get(TenantId tenant) {
        return transactions.read(tenant, () -> find(tenant));
    }

    /** In the caller's transaction, bound to {@code tenant}. */
    public Settings find(TenantId tenant) {
        return jdbc.query("select calling_window_on, calling_window_start, calling_window_end, retry_on, max_attempts, retry_backoff_seconds, "
                        + "updated_at, recording_retention_days from tenant_settings where tenant_id = ?", (rs, i) -> {
                    Window window = null;
                    Object on = rs.getObject(1);
                    Time start = rs.getTime(2);
                    if (on != null) {
                        window = new Window((Boolean) on, start == null ? null : start.toLocalTime(),
                                start == null ? null : rs.getTime(3).toLocalTime());
                    }
                    Call.RetryPolicy retry = null;
                    Array retryOn = rs.getArray(4);
                    if (retryOn != null) {
                        retry = new Call.RetryPolicy(Arrays.asList((String[]) retryOn.getArray()), rs.getInt(5), rs.getInt(6));
                    }
                    return new Settings(window, retry, rs.getTimestamp(7).toInstant(), (Integer) rs.getObject(8));
                }, tenant.value()).stream().findFirst().orElse(Settings.NONE);
    }

    /** Replaces the tenant's settings (a null part goes back to the platform's default). */
    public Settings put(TenantId tenant, Window window, Call.RetryPolicy retry, Integer recordingRetentionDays) {
        if (recordingRetentionDays != null && (recordingRetentionDays < 1 || recordingRetentionDays > 3650)) {
            throw ApiProblemException.invalidField("recordingRetentionDays", "1 to 3650 days");
        }
        if (window != null && (window.start() == null) != (window.end() == null)) {
            throw ApiProblemException.invalidField("callingWindow", "give both start and end, or neither");
        }
        if (window != null && window.start() != null && !window.start().isBefore(window.end())) {
            throw ApiProblemException.invalidField("callingWindow.end", "must be after start (the window lies within one day)");
        }
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            jdbc.update(con -> {
                var ps = con.prepareStatement("""
                        insert into tenant_settings (tenant_id, calling_window_on, calling_window_start, calling_window_end, retry_on,
                                                     max_attempts, retry_backoff_seconds, updated_at, recording_retention_days)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        on conflict (tenant_id) do update set calling_window_on = excluded.calling_window_on,
                          calling_window_start = excluded.calling_window_start, calling_window_end = excluded.calling_window_end,
                          retry_on = excluded.retry_on, max_attempts = excluded.max_attempts,
                          retry_backoff_seconds = excluded.retry_backoff_seconds, updated_at = excluded.updated_at,
                          recording_retention_days = excluded.recording_retention_days""");
                ps.setObject(1, tenant.value());
                ps.setObject(2, window == null ? null : window.enabled());
                ps.setObject(3, window == null || window.start() == null ? null : Time.valueOf(window.start()));
                ps.setObject(4, window == null || window.end() == null ? null : Time.valueOf(window.end()));
                ps.setArray(5, retry == null ? null : con.createArrayOf("text", retry.on().toArray()));
                ps.setObject(6, retry == null ? null : retry.maxAttempts());
                ps.setObject(7, retry == null ? null : retry.backoffSeconds());
                ps.setTimestamp(8, Timestamp.from(now));
                ps.setObject(9, recordingRetentionDays);
                return ps;
            });
            return find(tenant);
        });
    }

    /** The window a tenant's calls are dialled in: its own where set, else {@code platform}'s. */
    public static CallingWindow window(Settings settings, CallingWindow platform) {
        Window own = settings.window();
        if (own == null) {
            return platform;
        }
        LocalTime start = own.start() != null ? own.start() : platform.enabled() ? platform.start() : CallingWindow.DEFAULT_START;
        LocalTime end = own.end() != null ? own.end() : platform.enabled() ? platform.end() : CallingWindow.DEFAULT_END;
        return new CallingWindow(own.enabled(), start, end);
    }

    /**
     * A new call's retry policy: what it gave, its left-out fields (and an empty {@code on}) from the tenant's
     * default, else the platform's.
     */
    public static Call.RetryPolicy retry(Settings settings, List<String> on, Integer maxAttempts, Integer backoffSeconds) {
        Call.RetryPolicy base = Optional.ofNullable(settings.retry()).orElse(Call.RetryPolicy.DEFAULT);
        return new Call.RetryPolicy(on == null || on.isEmpty() ? base.on() : on.stream().distinct().toList(),
                maxAttempts == null ? base.maxAttempts() : maxAttempts, backoffSeconds == null ? base.backoffSeconds() : backoffSeconds);
    }
}
