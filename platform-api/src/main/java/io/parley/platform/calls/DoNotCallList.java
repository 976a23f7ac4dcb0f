package io.parley.platform.calls;

import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A tenant's do-not-call list: numbers none of its personas may call. {@link CallService} refuses new calls
 * to them, {@link DispatchLedger} blocks due calls to them at the moment of dialling, and a callee who opts
 * out during a call (the voice runtime ends it with reason {@value #OPT_OUT_REASON}) is added.
 */
@Component
public class DoNotCallList {

    /** The reason the voice runtime ends a call with when the callee opts out. */
    public static final String OPT_OUT_REASON = "opt_out";

    /** How a number came onto the list. */
    public enum Source {
        API("api"), OPT_OUT("opt_out");

        private final String wire;

        Source(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Source fromWire(String wire) {
            return OPT_OUT.wire.equals(wire) ? OPT_OUT : API;
        }
    }

    public record Entry(UUID id, String phoneNumber, Source source, String reason, UUID callId, String actor, Instant createdAt) {}

    /** The entry and whether this request added it (false: the number was listed already). */
    public record Added(Entry entry, boolean created) {}

    private static final String COLUMNS = "id, phone_number, source, reason, call_id, actor, created_at";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    public DoNotCallList(TenantTransactions transactions, JdbcTemplate jdbc, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Adds {@code phoneNumber} (any form libphonenumber reads; 422 on the field otherwise). */
    public Added add(TenantId tenant, String phoneNumber, String reason, String actor) {
        String number = PhoneNumbers.e164(phoneNumber)
                .orElseThrow(() -> ApiProblemException.invalidField("phoneNumber", "not a valid phone number in E.164 (e.g. +442071838750)"));
        if (reason != null && reason.length() > 500) {
            throw ApiProblemException.invalidField("reason", "at most 500 characters");
        }
        return transactions.write(tenant, () -> {
            Optional<Entry> inserted = insert(tenant, number, Source.API, reason, null, actor, clock.instant());
            return inserted.map(e -> new Added(e, true)).orElseGet(() -> new Added(find(tenant, number).orElseThrow(), false));
        });
    }

    /**
     * In the caller's transaction, bound to {@code tenant}: the callee of {@code callId} opted out. Nothing
     * changes when the number is listed already.
     */
    public void optOut(TenantId tenant, String phoneNumber, UUID callId, Instant at) {
        insert(tenant, phoneNumber, Source.OPT_OUT, "the callee opted out during a call", callId, "callee", at);
    }

    /** In the caller's transaction, bound to {@code tenant}: lists {@code e164} (nothing changes when it is listed already). */
    public void list(TenantId tenant, String e164, String reason, String actor, Instant at) {
        insert(tenant, e164, Source.API, reason, null, actor, at);
    }

    /** In the caller's transaction, bound to {@code tenant}: whether {@code e164} is listed. */
    public boolean listed(TenantId tenant, String e164) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from do_not_call where tenant_id = ? and phone_number = ?)",
                Boolean.class, tenant.value(), e164));
    }

    /** Removes the number; false when it was not listed (or is no phone number at all). */
    public boolean remove(TenantId tenant, String phoneNumber) {
        Optional<String> number = PhoneNumbers.e164(phoneNumber);
        if (number.isEmpty()) {
            return false;
        }
        return transactions.write(tenant, () ->
                jdbc.update("delete from do_not_call where tenant_id = ? and phone_number = ?", tenant.value(), number.get()) == 1);
    }

    /** The list, newest first; only {@code phoneNumber}'s entry when given. */
    public Page<Entry> page(TenantId tenant, String cursor, int limit, String phoneNumber) {
        UUID after = Cursor.decode(cursor);
        String number = null;
        if (phoneNumber != null) {
            number = PhoneNumbers.e164(phoneNumber)
                    .orElseThrow(() -> ApiProblemException.invalidParameter("phoneNumber", "not a valid phone number in E.164 (e.g. +442071838750)"));
        }
        String only = number;
        return transactions.read(tenant, () -> {
            List<Object> args = new ArrayList<>(List.of(tenant.value()));
            StringBuilder sql = new StringBuilder("select " + COLUMNS + " from do_not_call where tenant_id = ?");
            if (after != null) {
                sql.append(" and id < ?");
                args.add(after);
            }
            if (only != null) {
                sql.append(" and phone_number = ?");
                args.add(only);
            }
            sql.append(" order by id desc limit ?");
            args.add(limit + 1);
            return Page.of(jdbc.query(sql.toString(), DoNotCallList::entry, args.toArray()), limit, Entry::id);
        });
    }

    private Optional<Entry> insert(TenantId tenant, String number, Source source, String reason, UUID callId, String actor, Instant at) {
        return jdbc.query("""
                insert into do_not_call (id, tenant_id, phone_number, source, reason, call_id, actor, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (tenant_id, phone_number) do nothing
                returning\s""" + COLUMNS,
                DoNotCallList::entry, Ids.next(), tenant.value(), number, source.wire(), reason, callId, actor, Timestamp.from(at)).stream().findFirst();
    }

    private Optional<Entry> find(TenantId tenant, String number) {
        return jdbc.query("select " + COLUMNS + " from do_not_call where tenant_id = ? and phone_number = ?", DoNotCallList::entry,
                tenant.value(), number).stream().findFirst();
    }

    private static Entry entry(ResultSet rs, int row) throws SQLException {
        return new Entry(rs.getObject(1, UUID.class), rs.getString(2), Source.fromWire(rs.getString(3)), rs.getString(4),
                rs.getObject(5, UUID.class), rs.getString(6), rs.getTimestamp(7).toInstant());
    }
}
