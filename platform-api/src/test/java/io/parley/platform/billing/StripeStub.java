package io.parley.platform.billing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stripe on loopback: Stripe's own fixture objects at Stripe's paths, with the ids and fields a request gives, and
 * Stripe's error document for a Price it does not know ({@code price_missing}); a meter event under an identifier it
 * already has is refused, as Stripe refuses it, and kept once. A repeated {@code Idempotency-Key}
 * gets the first answer again, as Stripe does. Records every request.
 */
final class StripeStub implements AutoCloseable {

    /** A request as Stripe saw it: its form parameters decoded. */
    record Request(String method, String path, String idempotencyKey, String authorization, Map<String, String> form) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** The meter events Stripe keeps: one per identifier. */
    final Map<String, Map<String, String>> meterEvents = new ConcurrentHashMap<>();
    private final Map<String, String> answered = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final HttpServer server;

    StripeStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", http -> {
            try (http) {
                Map<String, String> form = form(new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                String key = http.getRequestHeaders().getFirst("Idempotency-Key");
                requests.add(new Request(http.getRequestMethod(), http.getRequestURI().getPath(), key,
                        http.getRequestHeaders().getFirst("Authorization"), form));
                String path = http.getRequestURI().getPath();
                int status = 200;
                String body;
                if (key != null && answered.containsKey(path + " " + key)) {
                    body = answered.get(path + " " + key);
                } else if (path.equals("/v1/customers")) {
                    body = json("customer", Map.of("id", "cus_stub" + ids.incrementAndGet(), "name", form.getOrDefault("name", ""),
                            "metadata", Map.of("tenant_id", form.getOrDefault("metadata[tenant_id]", ""))));
                } else if (path.equals("/v1/billing/meter_events") && meterEvents.putIfAbsent(form.get("identifier"), form) != null) {
                    status = 400;
                    body = "{\"error\": {\"code\": \"resource_already_exists\", \"message\": \"An event already exists with identifier "
                            + form.get("identifier") + ".\", \"type\": \"invalid_request_error\"}}";
                } else if (path.equals("/v1/billing/meter_events")) {
                    body = json("billing.meter_event", Map.of("event_name", form.get("event_name"), "identifier", form.get("identifier"),
                            "payload", Map.of("stripe_customer_id", form.get("payload[stripe_customer_id]"), "value", form.get("payload[value]")),
                            "timestamp", Long.parseLong(form.get("timestamp"))));
                } else if (path.equals("/v1/checkout/sessions") && form.containsValue("price_missing")) {
                    status = 400;
                    body = "{\"error\": {\"code\": \"resource_missing\", \"message\": \"No such price: 'price_missing'\", \"param\": \"line_items[0][price]\","
                            + " \"type\": \"invalid_request_error\"}}";
                } else if (path.equals("/v1/checkout/sessions")) {
                    String id = "cs_test_stub" + ids.incrementAndGet();
                    body = json("checkout.session", Map.of("id", id, "customer", form.get("customer"), "mode", "subscription",
                            "client_reference_id", form.get("client_reference_id"), "url", "https://checkout.stripe.com/c/pay/" + id));
                } else if (path.equals("/v1/billing_portal/sessions")) {
                    body = json("billing_portal.session", Map.of("id", "bps_stub" + ids.incrementAndGet(), "customer", form.get("customer"),
                            "return_url", form.get("return_url"), "url", "https://billing.stripe.com/p/session/test_stub"));
                } else {
                    status = 404;
                    body = "{\"error\": {\"message\": \"Unrecognized request URL (" + http.getRequestMethod() + ": " + path + ")\","
                            + " \"type\": \"invalid_request_error\"}}";
                }
                if (key != null && status == 200) answered.putIfAbsent(path + " " + key, body);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                http.getResponseHeaders().set("Content-Type", "application/json");
                http.getResponseHeaders().set("Request-Id", "req_stub" + ids.get());
                http.sendResponseHeaders(status, bytes.length);
                http.getResponseBody().write(bytes);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static String json(String resource, Map<String, Object> fields) {
        ObjectNode object = StripeEvents.object(resource, fields);
        return StripeEvents.JSON.writeValueAsString(object);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
