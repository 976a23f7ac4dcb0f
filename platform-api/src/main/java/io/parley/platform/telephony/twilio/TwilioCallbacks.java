package io.parley.platform.telephony.twilio;

import com.twilio.rest.api.v2010.account.Call;
import com.twilio.twiml.TwiMLException;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Connect;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Parameter;
import com.twilio.twiml.voice.Reject;
import com.twilio.twiml.voice.Say;
import com.twilio.twiml.voice.Stream;
import io.parley.platform.calls.CallProgress;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.InboundNumbers;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.telephony.CarrierEvents;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * What Twilio tells Parley about its calls, already verified as Twilio's ({@link TwilioWebhooksController}):
 * status callbacks become carrier reports (applied once and in order by {@link CallProgress}); the answer
 * webhook gets the TwiML that connects the callee to the voice runtime, or leaves the voicemail; and calls
 * whose callbacks never came are looked up at Twilio ({@link #reconcile}).
 */
public class TwilioCallbacks {

    private static final Logger log = LoggerFactory.getLogger(TwilioCallbacks.class);

    /** What became of a status callback. */
    public enum Outcome { APPLIED, STALE, DUPLICATE, IGNORED, UNKNOWN_CALL }

    private final TwilioTelephony twilio;
    private final TwilioAnswers answers;
    private final CarrierReceipts receipts;
    private final CallProgress progress;
    private final DispatchLedger ledger;
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final ParleyProperties.Twilio settings;
    private final URI streamUrl;
    private final InboundNumbers numbers;
    private final RuntimeHandoff handoff;
    private final io.parley.platform.telephony.CarrierRecordings recordings;
    private final Clock clock;

    public TwilioCallbacks(TwilioTelephony twilio, TwilioAnswers answers, CarrierReceipts receipts, CallProgress progress,
                           DispatchLedger ledger, TenantTransactions transactions, JdbcTemplate jdbc, ParleyProperties.Twilio settings,
                           URI streamUrl, InboundNumbers numbers, RuntimeHandoff handoff,
                           io.parley.platform.telephony.CarrierRecordings recordings, Clock clock) {
        this.twilio = twilio;
        this.answers = answers;
        this.receipts = receipts;
        this.progress = progress;
        this.ledger = ledger;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.settings = settings;
        this.streamUrl = streamUrl;
        this.numbers = numbers;
        this.handoff = handoff;
        this.recordings = recordings;
        this.clock = clock;
    }

    /**
     * A status callback ({@code CallSid}, {@code CallStatus}, {@code AnsweredBy}, {@code Timestamp}, ...) about
     * {@code attemptId}'s call; {@code idempotencyToken} is Twilio's {@code I-Twilio-Idempotency-Token}, which a
     * resent callback repeats.
     */
    public Outcome status(UUID attemptId, Map<String, String> params, String idempotencyToken) {
        if (idempotencyToken != null && receipts.seen(TwilioTelephony.CARRIER, idempotencyToken)) {
            return Outcome.DUPLICATE;
        }
        Outcome outcome = apply(attemptId, params.get("CallSid"), status(params.get("CallStatus")), answeredBy(params.get("AnsweredBy")),
                at(params.get("Timestamp")), reason(params));
        if (idempotencyToken != null && outcome != Outcome.UNKNOWN_CALL) {
            receipts.record(TwilioTelephony.CARRIER, idempotencyToken, clock.instant());
        }
        return outcome;
    }

    private Outcome apply(UUID attemptId, String callSid, String status, String answeredBy, Instant at, String reason) {
        if (status == null || callSid == null) {
            return Outcome.IGNORED;   // queued, initiated: the attempt is dialing already
        }
        CarrierEvents.Report report = new CarrierEvents.Report(TwilioTelephony.CARRIER, callSid, status, at, answeredBy, reason);
        CallProgress.Applied applied = progress.apply(report);
        if (applied == CallProgress.Applied.UNKNOWN_CALL && attemptId != null) {
            // the callback outran the create's answer: the URL names the attempt, so its call id is recorded now
            Optional<TenantId> tenant = tenantOf(attemptId);
            if (tenant.isPresent() && ledger.placed(tenant.get(), attemptId, callSid, clock.instant())) {
                applied = progress.apply(report);
            }
        }
        return switch (applied) {
            case APPLIED -> Outcome.APPLIED;
            case STALE -> Outcome.STALE;
            case UNKNOWN_CALL -> Outcome.UNKNOWN_CALL;
        };
    }

    private Optional<TenantId> tenantOf(UUID attemptId) {
        return transactions.withoutTenant(() -> Optional.ofNullable(
                jdbc.queryForObject("select parley_attempt_tenant(?)", UUID.class, attemptId)).map(TenantId::new));
    }

    /**
     * The TwiML for an answered call: a person is connected to the voice runtime with the call token; a machine
     * hears the persona's message after the beep (or is hung up on); an attempt nothing is known of is hung up.
     */
    public String answer(UUID attemptId, Map<String, String> params) {
        String answeredBy = answeredBy(params.get("AnsweredBy"));
        String callSid = params.get("CallSid");
        if (callSid != null) {
            apply(attemptId, callSid, "in_progress", answeredBy, clock.instant(), null);
        }
        Optional<TwilioAnswers.Answer> answer = attemptId == null ? Optional.empty() : answers.find(attemptId);
        VoiceResponse.Builder twiml = new VoiceResponse.Builder();
        if (answer.isEmpty()) {
            log.warn("Twilio answered call {} of attempt {}, which has no answer on record: hanging up", callSid, attemptId);
            twiml.hangup(new Hangup.Builder().build());
        } else if ("machine".equals(answeredBy)) {
            if (answer.get().voicemailMessage() != null) {
                twiml.say(new Say.Builder(answer.get().voicemailMessage()).build());
            }
            twiml.hangup(new Hangup.Builder().build());
        } else if (answer.get().streamToken() == null) {
            log.warn("Twilio answered call {} but no voice runtime is configured: hanging up", callSid);
            twiml.hangup(new Hangup.Builder().build());
        } else {
            twiml.connect(connect(answer.get().streamToken()));
        }
        return xml(twiml);
    }

    /**
     * A call to one of the tenants' numbers ({@code To}) from {@code From}: recorded as an inbound call and
     * connected to the voice runtime with the number's persona; a number Parley does not answer is rejected.
     */
    public String inbound(Map<String, String> params) {
        VoiceResponse.Builder twiml = new VoiceResponse.Builder();
        Optional<DispatchLedger.Begun> call = params.get("CallSid") == null || params.get("To") == null ? Optional.empty()
                : numbers.receive(TwilioTelephony.CARRIER, params.get("To"), params.get("From"), params.get("CallSid"));
        if (call.isEmpty()) {
            log.info("Twilio call {} to {}, which Parley does not answer: rejected", params.get("CallSid"), params.get("To"));
            return xml(twiml.reject(new Reject.Builder().reason(Reject.Reason.REJECTED).build()));
        }
        Optional<String> token = handoff.prepare(call.get());
        if (token.isEmpty()) {
            log.warn("Twilio call {} to {}: no voice runtime is configured to answer it", params.get("CallSid"), params.get("To"));
            return xml(twiml.say(new Say.Builder("Sorry, no one can take your call right now. Goodbye.").build())
                    .hangup(new Hangup.Builder().build()));
        }
        if (call.get().snapshot().record()) {
            try {
                twilio.record(params.get("CallSid"));
            } catch (RuntimeException e) {
                log.warn("Twilio call {}: its recording could not be started: {}", params.get("CallSid"), e.toString());
            }
        }
        return xml(twiml.connect(connect(token.get())));
    }

    /**
     * A recording status callback: a completed recording is fetched, kept encrypted under the tenant's key (if its
     * call records), then deleted at Twilio. Sent again (the same idempotency token), it is not fetched twice.
     */
    public Outcome recording(Map<String, String> params, String idempotencyToken) {
        if (!"completed".equals(params.get("RecordingStatus")) || params.get("RecordingUrl") == null || params.get("CallSid") == null) {
            return Outcome.IGNORED;
        }
        if (idempotencyToken != null && receipts.seen(TwilioTelephony.CARRIER, idempotencyToken)) {
            return Outcome.DUPLICATE;
        }
        byte[] wav = twilio.download(params.get("RecordingUrl"));
        long seconds = parseLong(params.get("RecordingDuration"));
        boolean kept = recordings.recorded(TwilioTelephony.CARRIER, params.get("CallSid"), wav, java.time.Duration.ofSeconds(seconds));
        if (params.get("RecordingSid") != null) {
            twilio.deleteRecording(params.get("RecordingSid"));
        }
        if (idempotencyToken != null) {
            receipts.record(TwilioTelephony.CARRIER, idempotencyToken, clock.instant());
        }
        return kept ? Outcome.APPLIED : Outcome.UNKNOWN_CALL;
    }

    private static long parseLong(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Connect connect(String token) {
        return new Connect.Builder()
                .stream(new Stream.Builder().url(streamUrl.toString())
                        .parameter(new Parameter.Builder().name("token").value(token).build())
                        .build())
                .build();
    }

    private static String xml(VoiceResponse.Builder twiml) {
        try {
            return twiml.build().toXml();
        } catch (TwiMLException e) {
            throw new IllegalStateException("TwiML could not be written", e);
        }
    }

    /**
     * Calls Twilio took that are still under way long after they were dialled: their callbacks may never have
     * come, so Twilio is asked where each is. Any instance may run this; applying a report twice changes nothing.
     */
    @Scheduled(fixedDelayString = "${parley.telephony.twilio.reconcile-every}", initialDelayString = "${parley.telephony.twilio.reconcile-every}")
    public void scheduledReconcile() {
        try {
            reconcile();
            receipts.purge(clock.instant().minus(settings.receiptsKept()));
        } catch (RuntimeException e) {
            log.warn("Twilio reconciliation failed: {}", e.toString());
        }
    }

    /** Looks up stale calls at Twilio and applies what it says; returns how many changed. */
    public int reconcile() {
        Instant before = clock.instant().minus(settings.reconcileAfter());
        var stale = transactions.withoutTenant(() -> jdbc.query("select id, provider_call_id from parley_stale_attempts(?, ?, ?)",
                (rs, i) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2)), TwilioTelephony.CARRIER, Timestamp.from(before), 200));
        int changed = 0;
        for (Map.Entry<UUID, String> attempt : stale) {
            try {
                Call call = twilio.fetch(attempt.getValue());
                String status = status(call.getStatus() == null ? null : call.getStatus().toString());
                Instant at = call.getEndTime() != null ? call.getEndTime().toInstant() : clock.instant();
                if (apply(attempt.getKey(), attempt.getValue(), status, answeredBy(call.getAnsweredBy()), at, null) == Outcome.APPLIED) {
                    changed++;
                }
            } catch (RuntimeException e) {
                log.warn("Twilio call {} (attempt {}) not reconciled: {}", attempt.getValue(), attempt.getKey(), e.toString());
            }
        }
        return changed;
    }

    /** Twilio's call status as a carrier report's, or null for one that changes nothing (queued, initiated). */
    static String status(String twilio) {
        if (twilio == null) {
            return null;
        }
        return switch (twilio.toLowerCase(Locale.ROOT)) {
            case "ringing" -> "ringing";
            case "in-progress" -> "in_progress";
            case "completed" -> "completed";
            case "busy" -> "busy";
            case "no-answer" -> "no_answer";
            case "failed", "canceled" -> "failed";
            default -> null;
        };
    }

    /** Twilio's {@code AnsweredBy}: {@code human}, {@code machine} (any machine or fax), or null when not known. */
    static String answeredBy(String twilio) {
        if (twilio == null || twilio.isBlank()) {
            return null;
        }
        String v = twilio.toLowerCase(Locale.ROOT);
        if (v.equals("human")) {
            return "human";
        }
        return v.startsWith("machine") || v.equals("fax") ? "machine" : null;
    }

    private static String reason(Map<String, String> params) {
        String status = params.get("CallStatus");
        if ("canceled".equals(status)) {
            return "canceled at Twilio";
        }
        String sip = params.get("SipResponseCode");
        return sip == null || sip.isBlank() || !"failed".equals(status) ? null : "SIP " + sip;
    }

    private Instant at(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return clock.instant();
        }
        try {
            return ZonedDateTime.parse(timestamp.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return clock.instant();
        }
    }
}
