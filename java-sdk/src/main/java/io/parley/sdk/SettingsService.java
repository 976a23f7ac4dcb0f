package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.SettingsApi;
import io.parley.sdk.model.TenantSettings;
import io.parley.sdk.model.TenantSettingsUpdate;

import java.util.Objects;

/**
 * Your tenant's defaults for its calls: the calling window (callees' local time) and the retry policy of calls that
 * give none. Obtain it from {@link Parley#settings()}. Thread-safe.
 */
public final class SettingsService {
  private final SettingsApi api;
  private final RequestExecutor executor;

  SettingsService(SettingsApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** The settings in effect, each the tenant's own or Parley's default. */
  public TenantSettings get() {
    return executor.execute("getSettings", Safety.REPEATABLE, api::getSettings);
  }

  /** Replaces the settings; a section left out goes back to Parley's default. */
  public TenantSettings update(TenantSettingsUpdate update) {
    Objects.requireNonNull(update, "update");
    return executor.execute("updateSettings", Safety.ONCE, () -> api.updateSettings(update));
  }
}
