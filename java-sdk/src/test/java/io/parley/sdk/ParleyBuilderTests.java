package io.parley.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParleyBuilderTests {

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "\t"})
  void rejectsMissingOrBlankApiKey(String apiKey) {
    assertThatThrownBy(() -> Parley.builder().apiKey(apiKey).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("apiKey");
  }

  @Test
  void rejectsApiKeyThatWouldBreakTheHeader() {
    assertThatThrownBy(() -> Parley.builder().apiKey("sk_test_abc\r\nX-Evil: 1").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:8080", "ftp://example.com", "/v1", "http://example.com?x=1"})
  void rejectsBaseUrlsThatAreNotAbsoluteHttp(String baseUrl) {
    assertThatThrownBy(() -> Parley.builder().apiKey("sk_test_x").baseUrl(baseUrl).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsToLocalPlatformApiAndStripsTrailingSlashes() {
    assertThat(Parley.builder().apiKey("sk_test_x").build().baseUrl()).isEqualTo("http://localhost:8080");
    assertThat(Parley.builder().apiKey("sk_test_x").baseUrl("https://api.example.com/parley/").build().baseUrl())
        .isEqualTo("https://api.example.com/parley");
  }

  @Test
  void rejectsNegativeRetriesAndNonPositiveTimeouts() {
    assertThatThrownBy(() -> Parley.builder().maxRetries(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Parley.builder().requestTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Parley.builder().connectTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsAnHttpClientTogetherWithAnHttpClientBuilder() {
    assertThatThrownBy(() -> Parley.builder().apiKey("sk_test_x")
        .httpClient(java.net.http.HttpClient.newHttpClient()).httpClientBuilder(java.net.http.HttpClient.newBuilder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not both");
  }

  @Test
  void versionComesFromTheBuildAndToStringHidesTheKey() {
    assertThat(Parley.VERSION).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(Parley.builder().apiKey("sk_test_secret").build().toString()).doesNotContain("sk_test_secret");
  }

  @Test
  void requestOptionsRejectBlankOrOverlongKeys() {
    assertThatThrownBy(() -> RequestOptions.withIdempotencyKey(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RequestOptions.withIdempotencyKey("k".repeat(256))).isInstanceOf(IllegalArgumentException.class);
    assertThat(RequestOptions.withIdempotencyKey("k".repeat(255)).idempotencyKey()).hasSize(255);
  }
}
