package io.parley.platform.knowledge.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.KnowledgeApi;
import io.parley.platform.api.model.KnowledgeDocument;
import io.parley.platform.api.model.KnowledgeDocumentPage;
import io.parley.platform.api.model.KnowledgePassage;
import io.parley.platform.api.model.KnowledgeSearchResult;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.knowledge.Knowledge;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

@RestController
class KnowledgeController implements KnowledgeApi {

    private final Knowledge knowledge;
    private final Idempotency idempotency;

    KnowledgeController(Knowledge knowledge, Idempotency idempotency) {
        this.knowledge = knowledge;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<KnowledgeDocument> createKnowledgeDocument(UUID personaId, String name, Resource body, String idempotencyKey) {
        Caller caller = Callers.tenantWide("a persona's knowledge");
        String mediaType = mediaType();
        byte[] content;
        try {
            content = body == null ? new byte[0] : body.getContentAsByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // the body was cut off: the limit filter's 413, or the client went away
        }
        // the same key with the same document answers as the first time; with another document it is refused
        Map<String, String> fingerprint = Map.of("name", name, "mediaType", mediaType, "sha256", sha256(content));
        return idempotency.run(caller.tenant(), idempotencyKey, "createKnowledgeDocument", fingerprint, KnowledgeDocument.class,
                () -> ResponseEntity.status(HttpStatus.CREATED).body(toApi(knowledge.add(caller.tenant(), personaId, name, mediaType, content,
                        caller.actor()))));
    }

    @Override
    public ResponseEntity<KnowledgeDocumentPage> listKnowledgeDocuments(UUID personaId, Integer limit, String cursor) {
        var page = knowledge.page(Callers.tenantWide("a persona's knowledge").tenant(), personaId, cursor, limit);
        return ResponseEntity.ok(new KnowledgeDocumentPage().data(page.map(KnowledgeController::toApi).items()).hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<KnowledgeDocument> getKnowledgeDocument(UUID personaId, UUID documentId) {
        return ResponseEntity.ok(toApi(knowledge.get(Callers.tenantWide("a persona's knowledge").tenant(), personaId, documentId)));
    }

    @Override
    public ResponseEntity<Void> deleteKnowledgeDocument(UUID personaId, UUID documentId) {
        knowledge.delete(Callers.tenantWide("a persona's knowledge").tenant(), personaId, documentId);
        return ResponseEntity.noContent().build();
    }

    @Override
    public ResponseEntity<KnowledgeSearchResult> searchKnowledge(UUID personaId, String q, Integer limit) {
        Caller caller = Callers.current();
        if (caller.grant() != null && !caller.grant().personaId().equals(personaId)) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "A call credential searches its own call's persona only");
        }
        return ResponseEntity.ok(new KnowledgeSearchResult().query(q).passages(knowledge.search(caller.tenant(), personaId, q,
                limit == null ? 3 : limit).stream().map(p -> new KnowledgePassage().documentId(p.documentId()).documentName(p.documentName())
                .passage(p.position()).text(p.text()).score(p.score())).toList()));
    }

    /** The body's media type, without parameters ({@code text/plain; charset=utf-8} is {@code text/plain}). */
    private static String mediaType() {
        String header = ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getRequest().getContentType();
        return header == null ? "" : MediaType.parseMediaType(header).getType().toLowerCase(Locale.ROOT) + "/"
                + MediaType.parseMediaType(header).getSubtype().toLowerCase(Locale.ROOT);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static KnowledgeDocument toApi(Knowledge.Document d) {
        return new KnowledgeDocument().id(d.id()).personaId(d.personaId()).name(d.name())
                .mediaType(KnowledgeDocument.MediaTypeEnum.fromValue(d.mediaType())).sizeBytes(d.sizeBytes()).characters(d.characters())
                .passages(d.passages()).createdAt(utc(d.createdAt()));
    }
}
