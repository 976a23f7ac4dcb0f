package io.parley.sdk;

import io.parley.sdk.model.Call;
import io.parley.sdk.model.CallEvent;
import io.parley.sdk.model.CallPage;
import io.parley.sdk.model.CallStatus;
import io.parley.sdk.model.Persona;
import io.parley.sdk.model.PersonaKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.parley.sdk.ScriptedServer.json;
import static io.parley.sdk.ScriptedServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PaginationTests {
  private final ScriptedServer server = new ScriptedServer();
  private final List<Duration> sleeps = new ArrayList<>();
  private final List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());

  PaginationTests() throws IOException {}

  @AfterEach
  void stop() {
    server.close();
  }

  private static String callPage(List<UUID> ids, boolean hasMore, String nextCursor) {
    List<String> calls = new ArrayList<>();
    ids.forEach(id -> calls.add(Fixtures.call(id, "scheduled")));
    return "{\"data\":[" + String.join(",", calls) + "],\"hasMore\":" + hasMore
        + (nextCursor == null ? "" : ",\"nextCursor\":\"" + nextCursor + "\"") + "}";
  }

  @Test
  void listAllFollowsCursorsAcrossThreePagesLazilyAndKeepsTheFilters() {
    server.then(
        json(200, callPage(ids.subList(0, 2), true, "cur/1+a")),
        json(200, callPage(ids.subList(2, 4), true, "cur2")),
        json(200, callPage(ids.subList(4, 5), false, null)),
        json(200, callPage(List.of(UUID.randomUUID()), false, null)));
    UUID personaId = Fixtures.PERSONA_ID;

    Iterable<Call> all = server.client(sleeps).build().calls()
        .listAll(CallListParams.builder().limit(2).status(CallStatus.SCHEDULED).personaId(personaId).build());
    assertThat(server.received()).as("nothing is fetched before iterating").isEmpty();

    Iterator<Call> it = all.iterator();
    assertThat(it.next().getId()).isEqualTo(ids.get(0));
    assertThat(server.received()).as("only the first page so far").hasSize(1);

    List<UUID> seen = new ArrayList<>(List.of(ids.get(0)));
    it.forEachRemaining(c -> seen.add(c.getId()));

    assertThat(seen).containsExactlyElementsOf(ids);
    assertThat(server.received()).as("stops when hasMore is false").hasSize(3);
    List<Map<String, String>> params = server.received().stream().map(ScriptedServer.Received::params).toList();
    assertThat(params).allSatisfy(p -> {
      assertThat(p).containsEntry("limit", "2").containsEntry("status", "scheduled").containsEntry("personaId", personaId.toString());
      assertThat(server.received()).allSatisfy(r -> assertThat(r.path()).isEqualTo("/v1/calls"));
    });
    assertThat(params.get(0)).doesNotContainKey("cursor");
    assertThat(params.get(1)).containsEntry("cursor", "cur/1+a");
    assertThat(params.get(2)).containsEntry("cursor", "cur2");
  }

  @Test
  void streamStartsFromTheGivenCursor() {
    server.then(json(200, """
        {"data":[%s],"hasMore":true,"nextCursor":"p3"}""".formatted(Fixtures.persona(ids.get(0), "Elf"))),
        json(200, """
        {"data":[%s],"hasMore":false}""".formatted(Fixtures.persona(ids.get(1), "Rudolph"))));

    List<String> names = server.client(sleeps).build().personas()
        .listAll(PersonaListParams.builder().cursor("p2").kind(PersonaKind.SANTA).build())
        .stream().map(Persona::getName).toList();

    assertThat(names).containsExactly("Elf", "Rudolph");
    assertThat(server.received()).extracting(r -> r.params().get("cursor")).containsExactly("p2", "p3");
    assertThat(server.received()).extracting(r -> r.params().get("kind")).containsExactly("santa", "santa");
  }

  @Test
  void hasMoreWithoutCursorStopsInsteadOfLooping() {
    server.then(json(200, callPage(ids.subList(0, 1), true, null)), json(200, callPage(ids.subList(1, 2), false, null)));

    List<Call> calls = new ArrayList<>();
    server.client(sleeps).build().calls().listAll().forEach(calls::add);

    assertThat(calls).hasSize(1);
    assertThat(server.received()).hasSize(1);
  }

  @Test
  void aPageFailureSurfacesFromTheIterator() {
    server.then(json(200, callPage(ids.subList(0, 1), true, "c2")), problem(404,
        "{\"type\":\"https://parley.dev/problems/not-found\",\"title\":\"Not Found\",\"status\":404}"));

    Iterator<Call> it = server.client(sleeps).build().calls().listAll().iterator();
    it.next();

    assertThatThrownBy(it::hasNext).isInstanceOf(NotFoundException.class);
  }

  @Test
  void singlePageListAndEvents() {
    UUID callId = UUID.randomUUID();
    server.then(json(200, callPage(ids.subList(0, 2), true, "n")), json(200, """
        {"data":[{"id":"%s","callId":"%s","type":"call.created","toStatus":"scheduled","actor":"system",
                  "occurredAt":"2026-12-01T10:00:00Z"}],"hasMore":false}""".formatted(UUID.randomUUID(), callId)));
    Parley parley = server.client(sleeps).build();

    CallPage page = parley.calls().list(CallListParams.builder().limit(2).build());
    List<CallEvent> events = parley.calls().allEvents(callId).stream().toList();

    assertThat(page.getData()).hasSize(2);
    assertThat(page.getHasMore()).isTrue();
    assertThat(page.getNextCursor()).isEqualTo("n");
    assertThat(events).extracting(CallEvent::getType).containsExactly("call.created");
    assertThat(server.received().get(1).path()).isEqualTo("/v1/calls/" + callId + "/events");
  }
}
