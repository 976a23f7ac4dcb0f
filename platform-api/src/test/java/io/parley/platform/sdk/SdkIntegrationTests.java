package io.parley.platform.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.support.IntegrationTest;
import io.parley.sdk.CallListParams;
import io.parley.sdk.InvalidRequestException;
import io.parley.sdk.NotFoundException;
import io.parley.sdk.Parley;
import io.parley.sdk.RequestOptions;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CallPage;
import io.parley.sdk.model.CallStatus;
import io.parley.sdk.model.CreateCallRequest;
import io.parley.sdk.model.CreatePersonaRequest;
import io.parley.sdk.model.Persona;
import io.parley.sdk.model.PersonaKind;
import io.parley.sdk.model.RescheduleCallRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generated SDK and its hand-written layer against a real, running platform-api. */
class SdkIntegrationTests extends IntegrationTest {

    private TestTenant tenant;
    private Parley parley;

    @BeforeEach
    void client() {
        tenant = newTenant();
        parley = Parley.builder().apiKey(tenant.apiKey()).baseUrl(baseUrl()).build();
    }

    private Persona santa() {
        return parley.personas().create(new CreatePersonaRequest()
                .name("Santa Claus")
                .kind(PersonaKind.SANTA)
                .systemPrompt("You are Santa Claus, calling a child a few days before Christmas.")
                .firstMessage("Ho ho ho! Is that {{child_name}}?"));
    }

    private static CreateCallRequest callTo(Persona persona, String number) {
        return new CreateCallRequest().personaId(persona.getId()).to(number).timeZone("Europe/London")
                .putVariablesItem("child_name", "Ella");
    }

    @Test
    void calleesTheirFavouritesOptOutAndMemoryThroughTheSdk() {
        Persona coach = parley.personas().create(new CreatePersonaRequest().template("coach").memory(true));
        assertThat(coach.getMemory()).isTrue();
        var ken = parley.callees().create(new io.parley.sdk.model.CreateCalleeRequest().phoneNumber("+442071838750").name("Ken")
                .timeZone("Asia/Tokyo").consent(io.parley.sdk.model.CalleeConsent.GRANTED));
        assertThat(ken.getConsent()).isEqualTo(io.parley.sdk.model.CalleeConsent.GRANTED);
        assertThatThrownBy(() -> parley.callees().create(new io.parley.sdk.model.CreateCalleeRequest().phoneNumber("+442071838750").name("Again")))
                .isInstanceOf(io.parley.sdk.ConflictException.class);
        assertThat(parley.callees().addFavourite(ken.getId(), coach.getId()).getFavouritePersonaIds()).containsExactly(coach.getId());
        assertThat(parley.callees().update(ken.getId(), new io.parley.sdk.model.UpdateCalleeRequest().optedOut(true)).getOptedOut()).isTrue();
        assertThat(parley.callees().list(io.parley.sdk.ListParams.builder().build(), "+442071838750").getData()).hasSize(1);
        assertThat(parley.callees().memory(ken.getId()).getEntries()).isEmpty();
        parley.callees().eraseMemory(ken.getId());
        parley.callees().delete(ken.getId());
        assertThatThrownBy(() -> parley.callees().get(ken.getId())).isInstanceOf(io.parley.sdk.NotFoundException.class);
    }

    @Test
    void aPersonasKnowledgeIsUploadedSearchedAndRemovedThroughTheSdk() {
        Persona receptionist = parley.personas().create(new CreatePersonaRequest().template("receptionist"));
        var doc = parley.knowledge().upload(receptionist.getId(), "hours.md", io.parley.sdk.KnowledgeService.MARKDOWN,
                "## Opening hours\n\nWe are open on **Saturdays** from 9 am to 1 pm.\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                io.parley.sdk.RequestOptions.withIdempotencyKey("doc-1"));
        assertThat(doc.getPassages()).isEqualTo(1);
        assertThat(doc.getMediaType()).isEqualTo(io.parley.sdk.model.KnowledgeDocument.MediaTypeEnum.TEXT_MARKDOWN);
        // the same key with the same document answers as the first time, and keeps one document
        assertThat(parley.knowledge().upload(receptionist.getId(), "hours.md", io.parley.sdk.KnowledgeService.MARKDOWN,
                "## Opening hours\n\nWe are open on **Saturdays** from 9 am to 1 pm.\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                io.parley.sdk.RequestOptions.withIdempotencyKey("doc-1")).getId()).isEqualTo(doc.getId());
        assertThat(parley.knowledge().list(receptionist.getId(), io.parley.sdk.ListParams.builder().build()).getData()).hasSize(1);

        var found = parley.knowledge().search(receptionist.getId(), "are you open on saturday", null);
        assertThat(found.getPassages()).singleElement().satisfies(p -> {
            assertThat(p.getDocumentName()).isEqualTo("hours.md");
            assertThat(p.getText()).isEqualTo("Opening hours We are open on Saturdays from 9 am to 1 pm.");
        });
        assertThatThrownBy(() -> parley.knowledge().upload(receptionist.getId(), "scan.pdf", io.parley.sdk.KnowledgeService.PDF,
                "not a pdf".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(io.parley.sdk.InvalidRequestException.class).hasMessageContaining("cannot be used");
        parley.knowledge().delete(receptionist.getId(), doc.getId());
        assertThatThrownBy(() -> parley.knowledge().get(receptionist.getId(), doc.getId())).isInstanceOf(io.parley.sdk.NotFoundException.class);
    }

    @Test
    void aReceptionistFromItsTemplateTakesABookingOncePerSlot() {
        java.time.ZoneId london = java.time.ZoneId.of("Europe/London");
        java.time.LocalDate monday = java.time.LocalDate.now(london).plusDays(2)
                .with(java.time.temporal.TemporalAdjusters.nextOrSame(java.time.DayOfWeek.MONDAY));
        Persona receptionist = parley.personas().create(new CreatePersonaRequest().template("receptionist")
                .booking(new io.parley.sdk.model.BookingSettings().timeZone("Europe/London").slotMinutes(60)
                        .putHoursItem("monday", List.of(new io.parley.sdk.model.OpeningHours().start("09:00").end("12:00")))));
        assertThat(receptionist.getFlow()).isNotEmpty();

        io.parley.sdk.model.Availability free = parley.bookings().availability(receptionist.getId(), monday);
        assertThat(free.getSlots()).hasSize(3);
        java.time.OffsetDateTime nine = free.getSlots().getFirst().getStart();
        io.parley.sdk.model.Booking booking = parley.bookings().create(receptionist.getId(),
                new io.parley.sdk.model.CreateBookingRequest().start(nine).name("Ada"));
        assertThat(booking.getStatus()).isEqualTo(io.parley.sdk.model.Booking.StatusEnum.CONFIRMED);
        assertThatThrownBy(() -> parley.bookings().create(receptionist.getId(),
                new io.parley.sdk.model.CreateBookingRequest().start(nine).name("Bob")))
                .isInstanceOf(io.parley.sdk.ConflictException.class);
        assertThat(parley.bookings().availability(receptionist.getId(), monday).getSlots()).hasSize(2);
        assertThat(parley.bookings().list(receptionist.getId(), io.parley.sdk.ListParams.builder().build()).getData())
                .extracting(io.parley.sdk.model.Booking::getId).containsExactly(booking.getId());
        assertThat(parley.bookings().cancel(booking.getId()).getStatus()).isEqualTo(io.parley.sdk.model.Booking.StatusEnum.CANCELED);
        assertThat(parley.personas().stopBookings(receptionist.getId()).getBooking()).isNull();
        assertThatThrownBy(() -> parley.bookings().availability(receptionist.getId(), monday)).isInstanceOf(io.parley.sdk.InvalidRequestException.class);
    }

    @Test
    void createsAndReadsAPersona() {
        Persona created = santa();
        Persona read = parley.personas().get(created.getId());
        assertThat(read.getName()).isEqualTo("Santa Claus");
        assertThat(read.getKind()).isEqualTo(PersonaKind.SANTA);
        assertThat(read.getLanguage()).isEqualTo("en-US");
        assertThat(read.getCreatedAt()).isEqualTo(created.getCreatedAt());
    }

    @Test
    void placingACallTwiceWithOneIdempotencyKeyPlacesOneCall() {
        Persona persona = santa();
        RequestOptions once = RequestOptions.withIdempotencyKey("booking-" + UUID.randomUUID());
        long before = ownerCount("calls");

        Call first = parley.calls().create(callTo(persona, "+442071838750"), once);
        Call second = parley.calls().create(callTo(persona, "+442071838750"), once);

        assertThat(second.getId()).isEqualTo(first.getId());
        assertThat(second.getStatus()).isEqualTo(CallStatus.SCHEDULED);
        assertThat(ownerCount("calls")).isEqualTo(before + 1);
        assertThat(parley.calls().list(CallListParams.firstPage()).getData()).extracting(Call::getId).containsExactly(first.getId());
    }

    @Test
    void withoutAKeyEachCreateIsItsOwnCall() {
        Persona persona = santa();
        Call first = parley.calls().create(callTo(persona, "+442071838750"));
        Call second = parley.calls().create(callTo(persona, "+442071838750"));
        assertThat(second.getId()).isNotEqualTo(first.getId());
    }

    @Test
    void listsCallsAcrossPages() {
        Persona persona = santa();
        Set<UUID> placed = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            placed.add(parley.calls().create(callTo(persona, "+44207183875" + i)).getId());
        }

        CallPage page1 = parley.calls().list(CallListParams.builder().limit(2).build());
        assertThat(page1.getData()).hasSize(2);
        assertThat(page1.getHasMore()).isTrue();
        CallPage page2 = parley.calls().list(CallListParams.builder().limit(2).cursor(page1.getNextCursor()).build());
        assertThat(page2.getData()).hasSize(2).extracting(Call::getId).doesNotContainAnyElementsOf(page1.getData().stream().map(Call::getId).toList());

        List<UUID> all = new ArrayList<>();
        parley.calls().listAll(CallListParams.builder().limit(2).build()).forEach(c -> all.add(c.getId()));
        assertThat(all).hasSize(5).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).isEqualTo(placed);
        // newest first
        assertThat(all).isSortedAccordingTo((x, y) -> y.compareTo(x));
    }

    @Test
    void mapsA404ToItsTypedException() {
        UUID missing = UUID.randomUUID();
        assertThatThrownBy(() -> parley.personas().get(missing))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.problemType()).isEqualTo("https://parley.dev/problems/not-found");
                    assertThat(e.requestId()).startsWith("req_");
                });
    }

    @Test
    void anotherTenantsPersonaIsNotFoundThroughTheSdkToo() {
        Persona mine = santa();
        TestTenant other = newTenant();
        Parley theirs = Parley.builder().apiKey(other.apiKey()).baseUrl(baseUrl()).build();
        assertThatThrownBy(() -> theirs.personas().get(mine.getId())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> theirs.calls().create(callTo(mine, "+442071838750")))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.errors()).extracting(io.parley.sdk.model.FieldError::getField).containsExactly("personaId"));
    }

    @Test
    void mapsAValidationProblemWithItsFields() {
        Persona persona = santa();
        assertThatThrownBy(() -> parley.calls().create(callTo(persona, "+1555").timeZone("Mars/Olympus")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.problemType()).endsWith("/validation-error");
                    assertThat(e.errors()).extracting(io.parley.sdk.model.FieldError::getField).containsExactlyInAnyOrder("to", "timeZone");
                });
    }

    @Test
    void cancelsACallAndReadsItsEvents() {
        Call call = parley.calls().create(callTo(santa(), "+442071838750"));
        Call canceled = parley.calls().cancel(call.getId());
        assertThat(canceled.getStatus()).isEqualTo(CallStatus.CANCELED);
        assertThat(parley.calls().events(call.getId()).getData())
                .extracting(e -> e.getType())
                .containsExactly("call.created", "call.canceled");
    }

    @Test
    void booksALocalTimeInTheNumbersZoneThenMovesIt() {
        String tomorrowAt6 = java.time.LocalDate.now(java.time.ZoneId.of("America/New_York")).plusDays(1) + "T18:00:00";
        Call call = parley.calls().create(new CreateCallRequest().personaId(santa().getId()).to("+12124567890").localTime(tomorrowAt6));
        assertThat(call.getTimeZone()).isEqualTo("America/New_York");
        assertThat(call.getTimeZoneSource()).isEqualTo(Call.TimeZoneSourceEnum.INFERRED);
        assertThat(call.getLocalTime()).isEqualTo(tomorrowAt6);

        String dayAfterAt9 = java.time.LocalDate.now(java.time.ZoneId.of("America/New_York")).plusDays(2) + "T09:00:00";
        Call moved = parley.calls().reschedule(call.getId(), new RescheduleCallRequest().localTime(dayAfterAt9));
        assertThat(moved.getLocalTime()).isEqualTo(dayAfterAt9);
        assertThat(moved.getScheduledAt().toInstant()).isAfter(call.getScheduledAt().toInstant());

        parley.calls().cancel(call.getId());
        assertThatThrownBy(() -> parley.calls().reschedule(call.getId(), new RescheduleCallRequest().localTime(dayAfterAt9)))
                .isInstanceOf(io.parley.sdk.ConflictException.class);
    }

    @Test
    void keepsTheDoNotCallList() {
        Persona persona = santa();
        var entry = parley.doNotCall().add("+442071838751");
        assertThat(entry.getSource()).isEqualTo(io.parley.sdk.model.DoNotCallEntry.SourceEnum.API);
        assertThat(parley.doNotCall().contains("+442071838751")).isTrue();
        assertThat(parley.doNotCall().listAll()).extracting(io.parley.sdk.model.DoNotCallEntry::getPhoneNumber).containsExactly("+442071838751");
        assertThatThrownBy(() -> parley.calls().create(callTo(persona, "+442071838751")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problemType()).endsWith("/do-not-call"));

        parley.doNotCall().remove("+442071838751");
        assertThat(parley.doNotCall().contains("+442071838751")).isFalse();
        assertThatThrownBy(() -> parley.doNotCall().remove("+442071838751")).isInstanceOf(NotFoundException.class);
        assertThat(parley.calls().create(callTo(persona, "+442071838751")).getStatus()).isEqualTo(CallStatus.SCHEDULED);
    }

    @Test
    void answersTheTenantsNumbersWithAPersona() {
        Persona persona = santa();
        var line = parley.phoneNumbers().create("+14155550160", persona.getId());
        assertThat(line.getCarrier()).isEqualTo("sandbox");
        assertThat(parley.phoneNumbers().listAll()).extracting(io.parley.sdk.model.PhoneNumber::getPhoneNumber).containsExactly("+14155550160");
        Persona other = santa();
        assertThat(parley.phoneNumbers().answerWith(line.getId(), other.getId()).getPersonaId()).isEqualTo(other.getId());
        assertThatThrownBy(() -> parley.phoneNumbers().create("+14155550160", persona.getId())).isInstanceOf(io.parley.sdk.ConflictException.class);
        parley.phoneNumbers().delete(line.getId());
        assertThatThrownBy(() -> parley.phoneNumbers().get(line.getId())).isInstanceOf(NotFoundException.class);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.parley.platform.recordings.Recordings recordings;

    @Test
    void downloadsAndDeletesARecording() {
        Persona persona = santa();
        parley.personas().update(persona.getId(), new io.parley.sdk.model.UpdatePersonaRequest().childSafety(false));   // else never recorded
        Call call = parley.calls().create(callTo(persona, "+442071838750").record(true));
        assertThat(call.getRecord()).isTrue();
        dialByHand(call.getId(), "hand", "HAND-sdk-" + call.getId(), java.time.Instant.now());
        byte[] audio = "RIFF....WAVEfmt not really a wav".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(recordings.recorded("hand", "HAND-sdk-" + call.getId(), audio, java.time.Duration.ofSeconds(1))).isTrue();

        assertThat(parley.calls().recording(call.getId())).isEqualTo(audio);
        assertThatThrownBy(() -> parley.calls().summary(call.getId())).as("no language model here").isInstanceOf(NotFoundException.class);
        parley.calls().deleteRecording(call.getId());
        assertThatThrownBy(() -> parley.calls().recording(call.getId())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void setsTheTenantsCallDefaults() {
        var updated = parley.settings().update(new io.parley.sdk.model.TenantSettingsUpdate()
                .callingWindow(new io.parley.sdk.model.CallingWindow().start("09:00").end("20:00"))
                .retry(new io.parley.sdk.model.RetryPolicy().maxAttempts(2)));
        assertThat(updated.getCallingWindow().getStart()).isEqualTo("09:00");
        assertThat(updated.getCallingWindowSource()).isEqualTo(io.parley.sdk.model.TenantSettings.CallingWindowSourceEnum.TENANT);
        assertThat(parley.calls().create(callTo(santa(), "+442071838750")).getRetry().getMaxAttempts()).isEqualTo(2);
    }
}
