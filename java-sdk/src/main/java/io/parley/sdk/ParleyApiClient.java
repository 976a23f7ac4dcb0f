package io.parley.sdk;

import io.parley.sdk.internal.ApiClient;

import java.net.http.HttpClient;

/**
 * The generated {@link ApiClient}, sharing one {@link HttpClient} (and so one connection pool and selector thread)
 * among the generated {@code *Api} classes, which would otherwise each build their own. The client is built from
 * the builder on first use, or given ready-made to share it among several {@link Parley} clients.
 */
final class ParleyApiClient extends ApiClient {
  private HttpClient httpClient;

  ParleyApiClient(HttpClient.Builder builder, String baseUrl) {
    super(builder, createDefaultObjectMapper(), baseUrl);
  }

  ParleyApiClient(HttpClient shared, String baseUrl) {
    super(HttpClient.newBuilder(), createDefaultObjectMapper(), baseUrl);
    this.httpClient = shared;
  }

  @Override
  public synchronized HttpClient getHttpClient() {
    if (httpClient == null) {
      httpClient = builder.build();
    }
    return httpClient;
  }
}
