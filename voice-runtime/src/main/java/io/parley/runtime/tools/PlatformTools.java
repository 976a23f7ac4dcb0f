package io.parley.runtime.tools;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.session.CallBootstrap;
import io.parley.sdk.ApiConnectionException;
import io.parley.sdk.AuthenticationException;
import io.parley.sdk.ConflictException;
import io.parley.sdk.InvalidRequestException;
import io.parley.sdk.NotFoundException;
import io.parley.sdk.Parley;
import io.parley.sdk.ParleyException;
import io.parley.sdk.PermissionException;
import io.parley.sdk.RateLimitException;
import io.parley.sdk.ServerException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools that act on the platform ({@code schedule_callback}, a receptionist's {@code check_availability}
 * and {@code book_appointment}, and {@code search_knowledge}), run through java-sdk against platform-api's public API with the call's own credential
 * ({@link CallBootstrap#credential()}), which the platform confines to that call's tenant, callee and
 * persona. So what a tool may do is decided by the platform, not by the model: the model only fills in
 * the arguments, and those never name the callee, persona or tenant.
 *
 * <p>A call is offered the tools its persona lists ({@code persona.tools}) when this instance knows
 * platform-api's URL and the call has a credential. A tool runs on a virtual thread of its own, never on
 * the call's executor, and always ends in a JSON result: what it did, or {@code {"error", "message"}} when
 * its arguments were wrong, the platform refused, or it took longer than the tool timeout. The model
 * hears that and can tell the caller.
 */
public final class PlatformTools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PlatformTools.class);

    private final PlatformApiProperties settings;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, PlatformTool> tools = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** One connection pool for every call's client: each call has its own credential, so its own {@link Parley}. */
    private final HttpClient http;

    public PlatformTools(PlatformApiProperties settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).executor(executor).build();
        add(new ScheduleCallback(json));
        add(BookingTools.check(json));
        add(BookingTools.book(json));
        add(new SearchKnowledge(json));
    }

    /** No platform tools: this instance does not know platform-api. */
    public static PlatformTools none() {
        return new PlatformTools(new PlatformApiProperties(null, null, null, null), Clock.systemUTC());
    }

    private void add(PlatformTool tool) {
        tools.put(tool.name(), tool);
    }

    /** The tools this call may use now, as offered to its model (none for a call without a credential). */
    public List<LanguageModel.Tool> offered(CallBootstrap call, Instant now) {
        if (!usable(call)) {
            return List.of();
        }
        return call.persona().tools().stream().distinct().map(tools::get).filter(Objects::nonNull)
                .filter(tool -> tool.available(call)).map(tool -> tool.definition(call, now)).toList();
    }

    /** Whether this call may run {@code tool}: its persona lists it, and the call has what it needs. */
    private boolean allowed(CallBootstrap call, PlatformTool tool) {
        return tool != null && usable(call) && call.persona().tools().contains(tool.name()) && tool.available(call);
    }

    private boolean usable(CallBootstrap call) {
        return settings.configured() && call.credential() != null && !call.credential().isBlank() && call.persona() != null
                && call.persona().tools() != null;
    }

    /**
     * Runs the tool the model called on this call, off the caller's thread, within the tool timeout. The future
     * completes with the JSON result, never exceptionally: on one of this service's virtual threads, or at once
     * when there is nothing to run (a tool this call was not offered).
     */
    public CompletableFuture<String> execute(CallBootstrap call, String toolCallId, String name, String argumentsJson) {
        PlatformTool tool = tools.get(name);
        if (!allowed(call, tool)) {
            // a tool this call was not offered (or one the model made up) does nothing
            return completed(error("unknown_tool", "no such tool: " + name));
        }
        CompletableFuture<String> result = new CompletableFuture<>();
        try {
            Future<?> task = executor.submit(() -> result.complete(run(tool, call, toolCallId, argumentsJson)));
            String timedOut = error("timeout", "The platform did not answer within " + settings.toolTimeout().toMillis()
                    + " ms; it is not known whether this was done. Tell the caller it could not be confirmed.");
            CompletableFuture.delayedExecutor(settings.toolTimeout().toMillis(), TimeUnit.MILLISECONDS, executor).execute(() -> {
                if (result.complete(timedOut)) {
                    task.cancel(true); // the request still running is abandoned (its thread interrupted)
                }
            });
        } catch (RejectedExecutionException e) {
            return completed(error("unavailable", "this instance is shutting down"));
        }
        return result;
    }

    private String run(PlatformTool tool, CallBootstrap call, String toolCallId, String argumentsJson) {
        try {
            JsonNode arguments = arguments(argumentsJson);
            Parley platform = Parley.builder()
                    .apiKey(call.credential())
                    .baseUrl(settings.url())
                    .httpClient(http)
                    .requestTimeout(settings.toolTimeout())
                    .maxRetries(settings.maxRetries())
                    .build();
            return json.writeValueAsString(tool.run(new PlatformTool.Run(call, platform, toolCallId, clock.instant()), arguments));
        } catch (ToolArgumentException e) {
            return error("invalid_arguments", e.getMessage());
        } catch (ParleyException e) {
            log.info("Tool {} on call {} refused by the platform: {}", tool.name(), call.callId(), e.getMessage());
            return refused(e);
        } catch (RuntimeException e) {
            log.warn("Tool {} on call {} failed", tool.name(), call.callId(), e);
            return error("failed", "the tool failed: " + e.getClass().getSimpleName());
        }
    }

    private JsonNode arguments(String argumentsJson) {
        try {
            JsonNode arguments = json.readTree(argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson);
            if (!arguments.isObject()) {
                throw new ToolArgumentException("the arguments must be a JSON object");
            }
            return arguments;
        } catch (JacksonException e) {
            throw new ToolArgumentException("the arguments are not JSON");
        }
    }

    /** The platform's problem, in words the model can use; the request id stays for the event log. */
    private String refused(ParleyException e) {
        String code = switch (e) {
            case InvalidRequestException x -> "rejected";
            case PermissionException x -> "forbidden";
            case AuthenticationException x -> "unauthorized";
            case NotFoundException x -> "not_found";
            case ConflictException x -> "conflict";
            case RateLimitException x -> "unavailable";
            case ServerException x -> "unavailable";
            case ApiConnectionException x -> "unavailable";
            default -> "failed";
        };
        ObjectNode result = json.createObjectNode().put("error", code)
                .put("message", e.detail() != null ? e.detail() : e.title() != null ? e.title() : "the platform could not be reached");
        if (e.status() > 0) {
            result.put("status", e.status());
        }
        if (e.problemType() != null) {
            result.put("problemType", e.problemType());
        }
        if (!e.errors().isEmpty()) {
            var fields = result.putArray("fields");
            e.errors().forEach(f -> fields.addObject().put("field", f.getField()).put("detail", f.getDetail()));
        }
        if (e.requestId() != null) {
            result.put("requestId", e.requestId());
        }
        return json.writeValueAsString(result);
    }

    private String error(String code, String message) {
        return json.writeValueAsString(json.createObjectNode().put("error", code).put("message", message));
    }

    private CompletableFuture<String> completed(String result) {
        return CompletableFuture.completedFuture(result);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
