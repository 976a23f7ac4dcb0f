package io.parley.platform.config;

import java.util.List;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Refuses to serve when the application's database role could see past row-level security: a
 * superuser, a role with BYPASSRLS, or one that owns a table. Tenant isolation rests on it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class DatabaseRoleGuard implements ApplicationRunner {

    private final JdbcTemplate jdbc;

    DatabaseRoleGuard(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<String> problems = problems(jdbc);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The application's database role must not bypass row-level security: "
                    + String.join("; ", problems) + ". Connect as the role in PARLEY_DB_APP_ROLE (see README).");
        }
    }

    /** What is wrong with the connected role; empty when it is safe. */
    static List<String> problems(JdbcTemplate jdbc) {
        return jdbc.query("""
                select r.rolname, r.rolsuper, r.rolbypassrls,
                       (select count(*) from pg_class c where c.relowner = r.oid and c.relkind in ('r', 'p')) as owned
                from pg_roles r where r.rolname = current_user
                """, (rs, row) -> {
            StringBuilder s = new StringBuilder();
            String name = rs.getString("rolname");
            if (rs.getBoolean("rolsuper")) s.append(name).append(" is a superuser");
            if (rs.getBoolean("rolbypassrls")) s.append(s.isEmpty() ? "" : ", ").append(name).append(" has BYPASSRLS");
            if (rs.getLong("owned") > 0) s.append(s.isEmpty() ? "" : ", ").append(name).append(" owns ").append(rs.getLong("owned")).append(" tables");
            return s.toString();
        }).stream().filter(s -> !s.isEmpty()).toList();
    }
}
