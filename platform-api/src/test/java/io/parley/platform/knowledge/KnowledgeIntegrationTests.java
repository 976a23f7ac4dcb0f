package io.parley.platform.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A persona's documents: read (txt, md, pdf), cut into passages, searched by full text, confined to their tenant. */
class KnowledgeIntegrationTests extends IntegrationTest {

    private static final String HOURS = """
            # Bright Smile Dental

            ## Opening hours

            We are open **Monday to Friday** from 8 am to 6 pm, and on Saturdays from 9 am to 1 pm. We are closed on Sundays \
            and on bank holidays.

            ## Parking

            There is free parking behind the clinic, entered from [Mill Lane](https://example.com/map). Two spaces are kept \
            for wheelchair users.
            """;

    @Autowired
    private CallCredentials credentials;

    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void receptionist() {
        tenant = newTenant();
        persona = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist"))).json().get("id").asString();
    }

    private ApiClient.Response upload(ApiClient api, String persona, String name, byte[] body, String type) {
        return api.sendBytes("POST", "/v1/personas/" + persona + "/knowledge?name=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8), body, type);
    }

    private List<String> found(ApiClient api, String persona, String question) {
        ApiClient.Response r = api.get("/v1/personas/" + persona + "/knowledge/search?q=" + java.net.URLEncoder.encode(question, StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> texts = new java.util.ArrayList<>();
        r.json().get("passages").forEach(p -> texts.add(p.get("documentName").asString() + "#" + p.get("passage").asInt() + ": " + p.get("text").asString()));
        return texts;
    }

    @Test
    void aMarkdownDocumentIsCutIntoPassagesAndAQuestionFindsTheRightOne() {
        ApiClient.Response made = upload(tenant.api(), persona, "clinic.md", HOURS.getBytes(StandardCharsets.UTF_8), "text/markdown");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        JsonNode doc = made.json();
        assertThat(doc.get("name").asString()).isEqualTo("clinic.md");
        assertThat(doc.get("mediaType").asString()).isEqualTo("text/markdown");
        assertThat(doc.get("passages").asInt()).isEqualTo(2);

        List<String> saturday = found(tenant.api(), persona, "When are you open on Saturday?");
        assertThat(saturday.getFirst()).as("the markup is gone, the heading is with its text")
                .isEqualTo("clinic.md#1: Bright Smile Dental Opening hours We are open Monday to Friday from 8 am to 6 pm, and on Saturdays "
                        + "from 9 am to 1 pm. We are closed on Sundays and on bank holidays.");
        assertThat(found(tenant.api(), persona, "can I park my car?").getFirst()).startsWith("clinic.md#2: Parking There is free parking behind the clinic, "
                + "entered from Mill Lane.");
        assertThat(found(tenant.api(), persona, "do you sell bicycles")).as("nothing shares a word").isEmpty();
        assertThat(found(tenant.api(), persona, "the and of")).as("stop words alone find nothing").isEmpty();

        String id = doc.get("id").asString();
        assertThat(tenant.api().get("/v1/personas/" + persona + "/knowledge").json().get("data")).hasSize(1);
        assertThat(tenant.api().get("/v1/personas/" + persona + "/knowledge/" + id).json().get("characters").asLong()).isPositive();
        assertThat(tenant.api().delete("/v1/personas/" + persona + "/knowledge/" + id).status()).isEqualTo(204);
        assertThat(found(tenant.api(), persona, "Saturday opening hours")).as("a deleted document's passages are gone").isEmpty();
        assertThat(tenant.api().delete("/v1/personas/" + persona + "/knowledge/" + id).status()).isEqualTo(404);
    }

    @Test
    void aPdfsTextIsReadAndFound() throws IOException {
        byte[] pdf = pdf("Whitening costs 250 pounds and takes about one hour.", null);
        ApiClient.Response made = upload(tenant.api(), persona, "prices.pdf", pdf, "application/pdf");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(made.json().get("mediaType").asString()).isEqualTo("application/pdf");
        assertThat(found(tenant.api(), persona, "How much is teeth whitening?")).singleElement().asString()
                .isEqualTo("prices.pdf#1: Whitening costs 250 pounds and takes about one hour.");
        // a plain text file too, with a charset parameter
        assertThat(upload(tenant.api(), persona, "note.txt", "Dr Patel works on Tuesdays.".getBytes(StandardCharsets.UTF_8),
                "text/plain; charset=utf-8").status()).isEqualTo(201);
        assertThat(found(tenant.api(), persona, "which days does doctor Patel work")).singleElement().asString().startsWith("note.txt#1");
    }

    @Test
    void badDocumentsAreRefusedClearlyAndNothingIsKept() throws IOException {
        String base = "/v1/personas/" + persona + "/knowledge";
        record Bad(String name, byte[] body, String type, int status) {}
        List<Bad> bad = List.of(
                new Bad("a.docx", "PK...".getBytes(StandardCharsets.UTF_8), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 415),
                new Bad("a.txt", new byte[] {(byte) 0xC3, (byte) 0x28, 'a'}, "text/plain", 422),   // not UTF-8
                new Bad("a.txt", "   \n\n  ".getBytes(StandardCharsets.UTF_8), "text/plain", 422),
                new Bad("a.pdf", "%PDF-1.7 this is not really a pdf".getBytes(StandardCharsets.UTF_8), "application/pdf", 422),
                new Bad("a.pdf", pdf("Secret prices.", "owner-password"), "application/pdf", 422),
                new Bad("a.pdf", pdf(null, null), "application/pdf", 422),   // no text layer
                new Bad("a.txt", new byte[5 * 1024 * 1024 + 1], "text/plain", 413),
                new Bad(" ", "Hello.".getBytes(StandardCharsets.UTF_8), "text/plain", 422),
                new Bad("x".repeat(201), "Hello.".getBytes(StandardCharsets.UTF_8), "text/plain", 400));
        for (Bad b : bad) {
            ApiClient.Response r = upload(tenant.api(), persona, b.name(), b.body(), b.type());
            assertThat(r.status()).as("%s %s: %s", b.name(), b.type(), r.body()).isEqualTo(b.status());
            assertThat(r.header("content-type")).startsWith("application/problem+json");
            assertThat(r.json().get("type").asString()).isNotBlank();
        }
        ApiClient.Response empty = tenant.api().sendBytes("POST", base + "?name=a.txt", new byte[0], "text/plain");
        assertThat(empty.status()).as(empty.body()).isIn(400, 422);
        assertThat(tenant.api().sendBytes("POST", base, "Hello.".getBytes(StandardCharsets.UTF_8), "text/plain").status()).as("a name is needed").isEqualTo(400);
        assertThat(tenant.api().get(base).json().get("data")).as("nothing was kept").isEmpty();
        assertThat(tenant.api().get(base + "/search?q=").status()).isEqualTo(400);
        assertThat(tenant.api().get(base + "/search?q=hours&limit=11").status()).isEqualTo(400);
    }

    @Test
    void aDocumentSentWithoutALengthIsCutOffAtTheLimitWithA413() throws Exception {
        byte[] big = new byte[5 * 1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + "/v1/personas/" + persona
                        + "/knowledge?name=big.txt"))
                .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))   // chunked
                .build();
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(request,
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.body()).contains("content-too-large");
        assertThat(tenant.api().get("/v1/personas/" + persona + "/knowledge").json().get("data")).isEmpty();
    }

    @Test
    void knowledgeIsTheTenantsOwnAndACallSearchesItsOwnPersonasOnly() {
        assertThat(upload(tenant.api(), persona, "clinic.md", HOURS.getBytes(StandardCharsets.UTF_8), "text/markdown").status()).isEqualTo(201);
        String id = tenant.api().get("/v1/personas/" + persona + "/knowledge").json().get("data").get(0).get("id").asString();
        TestTenant other = newTenant();
        assertThat(other.api().get("/v1/personas/" + persona + "/knowledge").status()).isEqualTo(404);
        assertThat(other.api().get("/v1/personas/" + persona + "/knowledge/" + id).status()).isEqualTo(404);
        assertThat(other.api().get("/v1/personas/" + persona + "/knowledge/search?q=hours").status()).isEqualTo(404);
        assertThat(other.api().delete("/v1/personas/" + persona + "/knowledge/" + id).status()).isEqualTo(404);
        assertThat(upload(other.api(), persona, "x.txt", "Hi.".getBytes(StandardCharsets.UTF_8), "text/plain").status()).isEqualTo(404);
        String others = other.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist"))).json().get("id").asString();
        assertThat(found(other.api(), others, "opening hours")).as("another tenant's persona finds none of it").isEmpty();

        // a call credential searches its own call's persona, and can neither upload nor read documents
        String second = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist"))).json().get("id").asString();
        UUID callId = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750")))
                .json().get("id").asString());
        ApiClient asCall = as(credentials.mint(new TenantId(tenant.id()), Mode.TEST, new CallGrant(callId, UUID.fromString(persona), "+442071838750"),
                Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(5)).value());
        assertThat(found(asCall, persona, "Saturday")).isNotEmpty();
        assertThat(asCall.get("/v1/personas/" + second + "/knowledge/search?q=Saturday").status()).isEqualTo(403);
        assertThat(asCall.get("/v1/personas/" + persona + "/knowledge").status()).isEqualTo(403);
        assertThat(upload(asCall, persona, "x.txt", "Hi.".getBytes(StandardCharsets.UTF_8), "text/plain").status()).isEqualTo(403);
    }

    /** A one-page PDF saying {@code text} (none: a page without a text layer), encrypted when {@code ownerPassword} is given. */
    private static byte[] pdf(String text, String ownerPassword) throws IOException {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            if (text != null) {
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    content.newLineAtOffset(72, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            if (ownerPassword != null) {
                StandardProtectionPolicy policy = new StandardProtectionPolicy(ownerPassword, "user-password", new AccessPermission());
                policy.setEncryptionKeyLength(128);
                document.protect(policy);
            }
            document.save(out);
            return out.toByteArray();
        }
    }
}
