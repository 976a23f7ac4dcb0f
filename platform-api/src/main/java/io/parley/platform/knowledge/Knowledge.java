package io.parley.platform.knowledge;

import io.parley.platform.personas.Persona;
import io.parley.platform.personas.PersonaService;
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
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A persona's knowledge: documents cut into passages ({@link KnowledgeText}), found again by PostgreSQL full-text
 * search in the persona's language. A question finds the passages that share the most of its words (any of them,
 * ranked by cover density), so "when are you open on saturday" finds the opening hours without every word matching.
 * A document is written whole with its passages, or not at all.
 */
@Service
public class Knowledge {

    /** A document as stored. */
    public record Document(UUID id, UUID personaId, String name, String mediaType, long sizeBytes, long characters, int passages,
                           Instant createdAt) {}

    /** A passage found, with where it comes from ({@code position} from 1). */
    public record Passage(UUID documentId, String documentName, int position, String text, double score) {}

    /** Most passages a document may have. */
    static final int MAX_PASSAGES = 2_000;
    private static final String COLUMNS = "id, persona_id, name, media_type, size_bytes, characters, passages, created_at";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final PersonaService personas;
    private final Clock clock;

    public Knowledge(TenantTransactions transactions, JdbcTemplate jdbc, PersonaService personas, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.personas = personas;
        this.clock = clock;
    }

    /** Reads, cuts and indexes a document of the persona's (404 for a persona the tenant does not have). */
    public Document add(TenantId tenant, UUID personaId, String name, String mediaType, byte[] content, String actor) {
        String cleanName = name == null ? "" : name.strip();
        if (cleanName.isEmpty()) {
            throw ApiProblemException.invalidField("name", "must not be blank");
        }
        if (cleanName.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblemException.invalidField("name", "must be one line of text");
        }
        if (content == null || content.length == 0) {
            throw ApiProblemException.invalidField("body", "the document is empty");
        }
        String text = KnowledgeText.text(mediaType, content);   // before any transaction: a PDF takes a moment
        List<String> passages = KnowledgeText.passages(text);
        if (passages.size() > MAX_PASSAGES) {
            throw ApiProblemException.invalidField("body", "at most " + MAX_PASSAGES + " passages (about "
                    + MAX_PASSAGES * KnowledgeText.PASSAGE_CHARS / 1000 + " thousand characters); split the document");
        }
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            Persona persona = personas.active(tenant, personaId).orElseThrow(() -> ApiProblemException.notFound("persona"));
            String config = KnowledgeText.config(persona.language());
            UUID id = Ids.next();
            jdbc.update("insert into knowledge_documents (id, tenant_id, persona_id, name, media_type, size_bytes, characters, passages, "
                            + "created_by, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id, tenant.value(), personaId, cleanName, mediaType, (long) content.length, (long) text.length(), passages.size(), actor,
                    Timestamp.from(now));
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < passages.size(); i++) {
                rows.add(new Object[] {tenant.value(), id, i + 1, personaId, config, passages.get(i)});
            }
            jdbc.batchUpdate("insert into knowledge_passages (tenant_id, document_id, position, persona_id, config, text) "
                    + "values (?, ?, ?, ?, ?::regconfig, ?)", rows);
            return find(tenant, personaId, id).orElseThrow();
        });
    }

    public Document get(TenantId tenant, UUID personaId, UUID id) {
        return transactions.read(tenant, () -> find(tenant, personaId, id)).orElseThrow(() -> ApiProblemException.notFound("document"));
    }

    /** Removes a document and its passages: calls no longer find them. */
    public void delete(TenantId tenant, UUID personaId, UUID id) {
        transactions.write(tenant, () -> {
            if (jdbc.update("delete from knowledge_documents where tenant_id = ? and persona_id = ? and id = ?", tenant.value(), personaId, id) == 0) {
                throw ApiProblemException.notFound("document");
            }
            return null;
        });
    }

    public Page<Document> page(TenantId tenant, UUID personaId, String cursor, int limit) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            personas.active(tenant, personaId).orElseThrow(() -> ApiProblemException.notFound("persona"));
            List<Object> args = new ArrayList<>(List.of(tenant.value(), personaId));
            String sql = "select " + COLUMNS + " from knowledge_documents where tenant_id = ? and persona_id = ?";
            if (after != null) {
                sql += " and id < ?";
                args.add(after);
            }
            args.add(limit + 1);
            return Page.of(jdbc.query(sql + " order by id desc limit ?", Knowledge::document, args.toArray()), limit, Document::id);
        });
    }

    /**
     * The passages of the persona's documents that best answer {@code question}, best first: those sharing any of its
     * words (stemmed in the persona's language, stop words left out), ranked by how many and how close together.
     */
    public List<Passage> search(TenantId tenant, UUID personaId, String question, int limit) {
        String q = question == null ? "" : question.replaceAll("[\\p{Cc}]", " ").strip();
        if (q.isEmpty()) {
            throw ApiProblemException.invalidField("q", "must not be blank");
        }
        return transactions.read(tenant, () -> {
            Persona persona = personas.active(tenant, personaId).orElseThrow(() -> ApiProblemException.notFound("persona"));
            String config = KnowledgeText.config(persona.language());
            // any of the words: plainto_tsquery joins them with &, which would need every one in a passage
            return jdbc.query("""
                    with q as (select nullif(replace(plainto_tsquery(?::regconfig, ?)::text, '&', '|'), '')::tsquery as query)
                    select p.document_id, d.name, p.position, p.text, ts_rank_cd(p.search, q.query, 1) as score
                      from q, knowledge_passages p
                      join knowledge_documents d on d.tenant_id = p.tenant_id and d.id = p.document_id
                     where p.tenant_id = ? and p.persona_id = ? and q.query is not null and p.search @@ q.query
                     order by score desc, p.document_id, p.position
                     limit ?""",
                    (rs, i) -> new Passage(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getDouble(5)),
                    config, q, tenant.value(), personaId, limit);
        });
    }

    private java.util.Optional<Document> find(TenantId tenant, UUID personaId, UUID id) {
        return jdbc.query("select " + COLUMNS + " from knowledge_documents where tenant_id = ? and persona_id = ? and id = ?",
                Knowledge::document, tenant.value(), personaId, id).stream().findFirst();
    }

    private static Document document(ResultSet rs, int i) throws SQLException {
        return new Document(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getLong(6), rs.getInt(7), rs.getTimestamp(8).toInstant());
    }
}
