package io.parley.platform.calls.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.SettingsApi;
import io.parley.platform.api.model.TenantSettings;
import io.parley.platform.api.model.TenantSettingsUpdate;
import io.parley.platform.calls.Call;
import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.TenantCallSettings;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import java.time.LocalTime;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SettingsController implements SettingsApi {

    /** The tenant's own, which a call credential may not reach. */
    private static final String WHAT = "the tenant's settings";

    private final TenantCallSettings settings;
    private final CallingWindow platformWindow;

    SettingsController(TenantCallSettings settings, ParleyProperties properties) {
        this.settings = settings;
        ParleyProperties.Compliance compliance = properties.compliance();
        this.platformWindow = new CallingWindow(compliance.enabled(), compliance.callingWindowStart(), compliance.callingWindowEnd());
    }

    @Override
    public ResponseEntity<TenantSettings> getSettings() {
        return ResponseEntity.ok(toApi(settings.get(Callers.tenantWide(WHAT).tenant())));
    }

    @Override
    public ResponseEntity<TenantSettings> updateSettings(TenantSettingsUpdate update) {
        Caller caller = Callers.tenantWide(WHAT);
        TenantCallSettings.Window window = null;
        if (update.getCallingWindow() != null) {
            var w = update.getCallingWindow();
            window = new TenantCallSettings.Window(w.getEnabled() == null || w.getEnabled(), time(w.getStart()), time(w.getEnd()));
        }
        Call.RetryPolicy retry = null;
        if (update.getRetry() != null) {
            var r = update.getRetry();
            retry = TenantCallSettings.retry(TenantCallSettings.Settings.NONE,
                    r.getOutcomes() == null ? null : r.getOutcomes().stream().map(o -> o.getValue()).toList(), r.getMaxAttempts(), r.getBackoffSeconds());
        }
        return ResponseEntity.ok(toApi(settings.put(caller.tenant(), window, retry, update.getRecordingRetentionDays())));
    }

    private TenantSettings toApi(TenantCallSettings.Settings s) {
        CallingWindow hours = TenantCallSettings.window(s, platformWindow);
        LocalTime start = hours.enabled() || s.window() != null ? hours.start() : platformStart();
        LocalTime end = hours.enabled() || s.window() != null ? hours.end() : platformEnd();
        return new TenantSettings()
                .callingWindow(new io.parley.platform.api.model.CallingWindow().enabled(hours.enabled()).start(hhmm(start)).end(hhmm(end)))
                .callingWindowSource(s.window() == null ? TenantSettings.CallingWindowSourceEnum.PLATFORM : TenantSettings.CallingWindowSourceEnum.TENANT)
                .retry(CallsController.toApi(TenantCallSettings.retry(s, null, null, null)))
                .retrySource(s.retry() == null ? TenantSettings.RetrySourceEnum.PLATFORM : TenantSettings.RetrySourceEnum.TENANT)
                .recordingRetentionDays(s.recordingRetentionDays() == null ? io.parley.platform.recordings.Recordings.DEFAULT_RETENTION_DAYS
                        : s.recordingRetentionDays())
                .updatedAt(utc(s.updatedAt()));
    }

    private LocalTime platformStart() {
        return platformWindow.enabled() ? platformWindow.start() : CallingWindow.DEFAULT_START;
    }

    private LocalTime platformEnd() {
        return platformWindow.enabled() ? platformWindow.end() : CallingWindow.DEFAULT_END;
    }

    private static String hhmm(LocalTime time) {
        return String.format("%02d:%02d", time.getHour(), time.getMinute());
    }

    private static LocalTime time(String hhmm) {
        return hhmm == null ? null : LocalTime.parse(hhmm);
    }

}
