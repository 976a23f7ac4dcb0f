package io.parley.platform.telephony.twilio;

import com.twilio.exception.ApiException;
import com.twilio.http.HttpMethod;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.CallCreator;
import com.twilio.rest.api.v2010.account.IncomingPhoneNumber;
import com.twilio.type.PhoneNumber;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.telephony.Telephony;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.routing.HttpRoutePlanner;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;

/**
 * The live carrier: places calls through Twilio's REST API (twilio-java).
 *
 * <p>A call is created with an answer URL, not inline TwiML, so that what it does once answered can depend on
 * who answered (answering-machine detection): a person is connected to the voice runtime with
 * {@code <Connect><Stream>} and the call token as a {@code <Parameter>}; a machine hears the persona's
 * voicemail message after the beep, or is hung up on. Both URLs carry the attempt's id, so a callback that
 * outruns the create's answer still finds its attempt. What the answer needs (the token, the message) is kept
 * in {@link TwilioAnswers} meanwhile.
 *
 * <p>Twilio's answer to a create is final for 4xx (an invalid number, a number the account may not call:
 * {@link Refused}); a timeout, a 5xx or a 429 leaves the outcome unknown for the dispatcher's reconciler, which
 * looks the call up by its number and creation time ({@link #find}).
 */
public final class TwilioTelephony implements Telephony {

    public static final String CARRIER = "twilio";
    /** Twilio creates a call a moment after it is asked; a call created this long before the dial is not the dial's. */
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

    private final TwilioRestClient client;
    private final ParleyProperties.Twilio settings;
    private final TwilioAnswers answers;

    public TwilioTelephony(TwilioRestClient client, ParleyProperties.Twilio settings, TwilioAnswers answers) {
        this.client = client;
        this.settings = settings;
        this.answers = answers;
    }

    /**
     * Twilio's REST client for these settings: Twilio's own API, or every request sent to {@code apiUrl} (a
     * contract mock; Twilio's region and edge settings cannot name another host).
     */
    public static TwilioRestClient client(ParleyProperties.Twilio settings) {
        HttpClientBuilder http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(64).setMaxConnPerRoute(64)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(5, TimeUnit.SECONDS))
                                .setSocketTimeout(Timeout.of(20, TimeUnit.SECONDS)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(20, TimeUnit.SECONDS)).build())
                .useSystemProperties();
        if (settings.apiUrl() != null && !settings.apiUrl().toString().isBlank()) {
            URI api = settings.apiUrl();
            HttpHost host = new HttpHost(api.getScheme(), api.getHost(), api.getPort());
            HttpRoutePlanner toApi = (target, context) -> new HttpRoute(host);
            http.setRoutePlanner(toApi);
        }
        return new TwilioRestClient.Builder(settings.accountSid(), settings.authToken())
                .accountSid(settings.accountSid())
                .httpClient(new NetworkHttpClient(http))
                .build();
    }

    @Override
    public String carrier() {
        return CARRIER;
    }

    @Override
    public Placed dial(Dial dial) throws Refused {
        answers.save(dial.attemptId(), new TwilioAnswers.Answer(dial.streamToken(), dial.voicemailMessage()));
        CallCreator create = Call.creator(settings.accountSid(), new PhoneNumber(dial.to()), new PhoneNumber(dial.from()),
                        webhook("answer", dial.attemptId()))
                .setMethod(HttpMethod.POST)
                .setStatusCallback(webhook("status", dial.attemptId()))
                .setStatusCallbackMethod(HttpMethod.POST)
                .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed"))
                .setTimeout((int) settings.ringTimeout().toSeconds());
        if (dial.record()) {
            create.setRecord(true)
                    .setRecordingStatusCallback(webhook("recording", dial.attemptId()).toString())
                    .setRecordingStatusCallbackMethod(HttpMethod.POST);
        }
        if (settings.machineDetection()) {
            // with a message to leave, Twilio waits for the beep before it asks what to do; without one a machine is hung up on at once
            create.setMachineDetection(dial.voicemailMessage() == null ? "Enable" : "DetectMessageEnd");
        }
        try {
            return new Placed(create.create(client).getSid());
        } catch (ApiException e) {
            if (final4xx(e)) {
                throw new Refused("Twilio refused the call: " + e.getMessage() + (e.getCode() == null ? "" : " (error " + e.getCode() + ")"));
            }
            throw e;
        }
    }

    /** A 4xx other than 429 is Twilio's final word: the call was not placed and would not be on a second try. */
    private static boolean final4xx(ApiException e) {
        Integer status = e.getStatusCode();
        return status != null && status >= 400 && status < 500 && status != 429;
    }

    @Override
    public Optional<Placed> find(UUID attemptId, String to, Instant requestedAt) {
        Instant since = requestedAt.minus(CLOCK_SKEW);
        // the newest calls to the number come first; one page of them reaches back far enough
        List<Call> calls = Call.reader(settings.accountSid()).setTo(new PhoneNumber(to)).pageSize(20).firstPage(client).getRecords();
        return calls.stream()
                .filter(c -> c.getDateCreated() != null && !c.getDateCreated().toInstant().isBefore(since))
                .min(Comparator.comparing(Call::getDateCreated))
                .map(c -> new Placed(c.getSid()));
    }

    /**
     * Points one of the account's numbers at Parley: its voice URL ({@code /webhooks/twilio/voice}) and its status
     * callback ({@code /webhooks/twilio/status}).
     */
    @Override
    public String answerAt(String phoneNumber) throws Refused {
        List<IncomingPhoneNumber> owned = IncomingPhoneNumber.reader(settings.accountSid()).setPhoneNumber(new PhoneNumber(phoneNumber))
                .pageSize(1).firstPage(client).getRecords();
        if (owned.isEmpty()) {
            throw new Refused(phoneNumber + " is not a number of Parley's Twilio account");
        }
        String sid = owned.getFirst().getSid();
        IncomingPhoneNumber.updater(settings.accountSid(), sid)
                .setVoiceUrl(webhook("voice"))
                .setVoiceMethod(HttpMethod.POST)
                .setStatusCallback(webhook("status"))
                .setStatusCallbackMethod(HttpMethod.POST)
                .update(client);
        return sid;
    }

    @Override
    public void hangUp(String providerCallId) {
        Call.updater(settings.accountSid(), providerCallId).setStatus(Call.UpdateStatus.COMPLETED).update(client);
    }

    /** Redirects the call to TwiML that dials {@code to}: Twilio ends the Media Stream and connects the caller. */
    @Override
    public void transfer(String providerCallId, String to) {
        String twiml = new com.twilio.twiml.VoiceResponse.Builder()
                .dial(new com.twilio.twiml.voice.Dial.Builder().number(new com.twilio.twiml.voice.Number.Builder(to).build()).build())
                .build().toXml();
        Call.updater(settings.accountSid(), providerCallId).setTwiml(twiml).update(client);
    }

    /** Starts recording a call under way (an inbound call whose persona records); its recording comes to the recording webhook. */
    public void record(String providerCallId) {
        com.twilio.rest.api.v2010.account.call.Recording.creator(settings.accountSid(), providerCallId)
                .setRecordingStatusCallback(webhook("recording").toString())
                .setRecordingStatusCallbackMethod(HttpMethod.POST)
                .create(client);
    }

    /** A finished recording's audio, as a WAV ({@code recordingUrl} as Twilio's recording callback gives it). */
    public byte[] download(String recordingUrl) {
        com.twilio.http.Response response = client.request(new com.twilio.http.Request(HttpMethod.GET, recordingUrl + ".wav"));
        if (response.getStatusCode() != 200) {
            throw new IllegalStateException("Twilio answered " + response.getStatusCode() + " for " + recordingUrl + ".wav");
        }
        try (java.io.InputStream in = response.getStream()) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Deletes a recording at Twilio once Parley keeps it (Parley's copy is the one under the tenant's key and retention). */
    public void deleteRecording(String recordingSid) {
        com.twilio.rest.api.v2010.account.Recording.deleter(settings.accountSid(), recordingSid).delete(client);
    }

    /** What Twilio says of a call now (the reconciler's question when its callbacks never came). */
    public Call fetch(String providerCallId) {
        return Call.fetcher(settings.accountSid(), providerCallId).fetch(client);
    }

    private URI webhook(String what, UUID attemptId) {
        return URI.create(webhook(what) + "?attempt=" + attemptId);
    }

    private URI webhook(String what) {
        return URI.create(settings.publicUrl().toString().replaceAll("/+$", "") + "/webhooks/twilio/" + what);
    }
}
