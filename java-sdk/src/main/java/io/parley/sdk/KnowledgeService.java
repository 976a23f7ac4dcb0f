package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.KnowledgeApi;
import io.parley.sdk.internal.ApiClient;
import io.parley.sdk.internal.ApiException;
import io.parley.sdk.model.KnowledgeDocument;
import io.parley.sdk.model.KnowledgeDocumentPage;
import io.parley.sdk.model.KnowledgeSearchResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * A persona's knowledge: documents (plain text, Markdown, PDF) its calls answer from, with the {@code search_knowledge}
 * tool. Reach it with {@link Parley#knowledge()}.
 */
public final class KnowledgeService {

  /** Plain text, UTF-8. */
  public static final String TEXT = "text/plain";
  /** Markdown, UTF-8. */
  public static final String MARKDOWN = "text/markdown";
  /** PDF, with a text layer. */
  public static final String PDF = "application/pdf";

  private final Uploads api;
  private final RequestExecutor executor;

  KnowledgeService(ApiClient client, RequestExecutor executor) {
    this.api = new Uploads(client);
    this.executor = executor;
  }

  /**
   * Adds a document to the persona's knowledge; it is read, cut into passages and indexed before this returns.
   *
   * @param mediaType {@link #TEXT}, {@link #MARKDOWN} or {@link #PDF}
   * @throws InvalidRequestException when it has no text to be had (a scanned or encrypted PDF, text that is not UTF-8),
   *     is too large, or of another media type
   */
  public KnowledgeDocument upload(UUID personaId, String name, String mediaType, byte[] content, RequestOptions options) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(content, "content");
    String key = Idempotency.key(options);
    return executor.execute("createKnowledgeDocument", Safety.REPEATABLE, () -> api.upload(personaId, name, mediaType, content, key));
  }

  /** Adds a document; see {@link #upload(UUID, String, String, byte[], RequestOptions)}. */
  public KnowledgeDocument upload(UUID personaId, String name, String mediaType, byte[] content) {
    return upload(personaId, name, mediaType, content, RequestOptions.none());
  }

  /** One page of the persona's documents, newest first. */
  public KnowledgeDocumentPage list(UUID personaId, ListParams params) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(params, "params");
    return executor.execute("listKnowledgeDocuments", Safety.REPEATABLE, () -> api.listKnowledgeDocuments(personaId, params.limit(), params.cursor()));
  }

  /** @throws NotFoundException when the persona has no such document */
  public KnowledgeDocument get(UUID personaId, UUID documentId) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(documentId, "documentId");
    return executor.execute("getKnowledgeDocument", Safety.REPEATABLE, () -> api.getKnowledgeDocument(personaId, documentId));
  }

  /** Removes a document and its passages: calls no longer find them. */
  public void delete(UUID personaId, UUID documentId) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(documentId, "documentId");
    executor.execute("deleteKnowledgeDocument", Safety.ONCE, () -> {
      api.deleteKnowledgeDocument(personaId, documentId);
      return null;
    });
  }

  /** The passages that best answer {@code question}, best first ({@code limit} 1 to 10; null: 3). */
  public KnowledgeSearchResult search(UUID personaId, String question, Integer limit) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(question, "question");
    return executor.execute("searchKnowledge", Safety.REPEATABLE, () -> api.searchKnowledge(personaId, question, limit));
  }

  /**
   * The generated client sends a document as JSON; a document is its own body, in its own media type, so the upload is
   * made here, on the same client (its connection pool, credential and headers).
   */
  private static final class Uploads extends KnowledgeApi {
    private final ApiClient client;

    Uploads(ApiClient client) {
      super(client);
      this.client = client;
    }

    KnowledgeDocument upload(UUID personaId, String name, String mediaType, byte[] content, String idempotencyKey) throws ApiException {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(client.getBaseUri() + "/v1/personas/"
              + ApiClient.urlEncode(personaId.toString()) + "/knowledge?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
          .header("Content-Type", mediaType)
          .header("Accept", "application/json, application/problem+json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(content));
      if (idempotencyKey != null) {
        request.header("Idempotency-Key", idempotencyKey);
      }
      if (client.getReadTimeout() != null) {
        request.timeout(client.getReadTimeout());
      }
      if (client.getRequestInterceptor() != null) {
        client.getRequestInterceptor().accept(request);
      }
      try {
        HttpResponse<InputStream> response = client.getHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (client.getResponseInterceptor() != null) {
          client.getResponseInterceptor().accept(response);
        }
        if (response.statusCode() / 100 != 2) {
          throw getApiException("createKnowledgeDocument", response);
        }
        try (InputStream body = response.body()) {
          return client.getObjectMapper().readValue(body, KnowledgeDocument.class);
        }
      } catch (IOException e) {
        throw new ApiException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ApiException(e);
      }
    }
  }
}
