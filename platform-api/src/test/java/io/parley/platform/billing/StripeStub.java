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
    /** The coupons and promotion codes Stripe keeps, by id. */
    final Map<String, ObjectNode> coupons = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> promotionCodes = new ConcurrentHashMap<>();
    /** The credit grants Stripe made, by id, and what invoices drew on each customer's credits since. */
    final Map<String, Map<String, String>> creditGrants = new ConcurrentHashMap<>();
    final Map<String, Long> creditsApplied = new ConcurrentHashMap<>();
    private final Map<String, String> answered = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final HttpServer server;

    StripeStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", http -> {
            try (http) {
                Map<String, String> form = form(new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (http.getRequestURI().getRawQuery() != null) form.putAll(form(http.getRequestURI().getRawQuery()));
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
                    body = json("checkout.session", Map.of("id", id, "customer", form.get("customer"), "mode", form.getOrDefault("mode", "subscription"),
                            "client_reference_id", form.get("client_reference_id"), "url", "https://checkout.stripe.com/c/pay/" + id));
                } else if (path.equals("/v1/billing/meters")) {
                    body = "{\"object\": \"list\", \"url\": \"/v1/billing/meters\", \"has_more\": false, \"data\": ["
                            + json("billing.meter", Map.of("id", "mtr_stub_minutes", "event_name", "parley_minutes", "livemode", false)) + "]}";
                } else if (path.equals("/v1/billing/meters/mtr_stub_minutes/event_summaries")) {   // one summary over the range asked
                    long start = Long.parseLong(form.get("start_time"));
                    long end = Long.parseLong(form.get("end_time"));
                    long sum = meterEvents.values().stream().filter(e -> form.get("customer").equals(e.get("payload[stripe_customer_id]")))
                            .filter(e -> Long.parseLong(e.get("timestamp")) >= start && Long.parseLong(e.get("timestamp")) < end)
                            .mapToLong(e -> Long.parseLong(e.get("payload[value]"))).sum();
                    body = "{\"object\": \"list\", \"url\": \"/v1/billing/meters/mtr_stub_minutes/event_summaries\", \"has_more\": false,"
                            + " \"data\": [" + json("billing.meter_event_summary", Map.of("id", "mtrusg_stub" + ids.incrementAndGet(),
                            "meter", "mtr_stub_minutes", "aggregated_value", sum, "start_time", start, "end_time", end, "livemode", false)) + "]}";
                } else if (path.equals("/v1/billing/credit_grants")) {
                    String id = "credgr_stub" + ids.incrementAndGet();
                    creditGrants.put(id, form);
                    body = json("billing.credit_grant", Map.of("id", id, "customer", form.get("customer"), "category", form.get("category"),
                            "livemode", false, "name", form.get("name"), "metadata", Map.of("tenant_id", form.getOrDefault("metadata[tenant_id]", "")),
                            "amount", Map.of("type", "monetary", "monetary", Map.of("currency", form.get("amount[monetary][currency]"),
                                    "value", Long.parseLong(form.get("amount[monetary][value]"))))));
                } else if (path.equals("/v1/billing/credit_balance_summary")) {   // grants for metered prices, less what invoices drew
                    String customer = form.get("customer");
                    long granted = creditGrants.values().stream().filter(g -> customer.equals(g.get("customer")))
                            .filter(g -> "metered".equals(g.get("applicability_config[scope][price_type]")))
                            .mapToLong(g -> Long.parseLong(g.get("amount[monetary][value]"))).sum();
                    long available = granted - creditsApplied.getOrDefault(customer, 0L);
                    body = json("billing.credit_balance_summary", Map.of("customer", customer, "livemode", false, "balances", java.util.List.of(Map.of(
                            "available_balance", Map.of("type", "monetary", "monetary", Map.of("currency", "usd", "value", available)),
                            "ledger_balance", Map.of("type", "monetary", "monetary", Map.of("currency", "usd", "value", available))))));
                } else if (path.equals("/v1/coupons")) {
                    String id = "coupon_stub" + ids.incrementAndGet();
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("id", id);
                    fields.put("duration", form.get("duration"));
                    fields.put("percent_off", form.containsKey("percent_off") ? new java.math.BigDecimal(form.get("percent_off")) : null);
                    fields.put("amount_off", form.containsKey("amount_off") ? Long.parseLong(form.get("amount_off")) : null);
                    fields.put("currency", form.get("currency"));
                    fields.put("duration_in_months", form.containsKey("duration_in_months") ? Long.parseLong(form.get("duration_in_months")) : null);
                    fields.put("redeem_by", form.containsKey("redeem_by") ? Long.parseLong(form.get("redeem_by")) : null);
                    fields.put("name", form.get("name"));
                    ObjectNode coupon = StripeEvents.object("coupon", fields);
                    coupons.put(id, coupon);
                    body = StripeEvents.JSON.writeValueAsString(coupon);
                } else if (path.equals("/v1/promotion_codes") && http.getRequestMethod().equals("POST")
                        && promotionCodes.values().stream().anyMatch(p -> p.get("code").asString().equalsIgnoreCase(form.get("code")))) {
                    status = 400;
                    body = "{\"error\": {\"message\": \"A promotion code with code: " + form.get("code") + " already exists.\", \"param\": \"code\","
                            + " \"type\": \"invalid_request_error\"}}";
                } else if (path.equals("/v1/promotion_codes") && http.getRequestMethod().equals("POST")) {
                    String id = "promo_stub" + ids.incrementAndGet();
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("id", id);
                    fields.put("code", form.get("code"));
                    fields.put("active", !"false".equals(form.get("active")));
                    fields.put("expires_at", form.containsKey("expires_at") ? Long.parseLong(form.get("expires_at")) : null);
                    fields.put("max_redemptions", form.containsKey("max_redemptions") ? Long.parseLong(form.get("max_redemptions")) : null);
                    fields.put("promotion", Map.of("type", "coupon", "coupon", form.get("promotion[coupon]")));
                    fields.put("metadata", Map.of("parley_starts_at", form.getOrDefault("metadata[parley_starts_at]", "")));
                    ObjectNode code = StripeEvents.object("promotion_code", fields);
                    promotionCodes.put(id, code);
                    body = StripeEvents.JSON.writeValueAsString(code);
                } else if (path.equals("/v1/promotion_codes")) {   // the list, each code's coupon expanded when asked
                    var list = StripeEvents.JSON.createArrayNode();
                    promotionCodes.values().forEach(code -> {
                        ObjectNode copy = code.deepCopy();
                        if ("data.promotion.coupon".equals(form.get("expand[0]"))) {
                            ((ObjectNode) copy.get("promotion")).set("coupon", coupons.get(code.get("promotion").get("coupon").asString()));
                        }
                        list.add(copy);
                    });
                    body = "{\"object\": \"list\", \"url\": \"/v1/promotion_codes\", \"has_more\": false, \"data\": "
                            + StripeEvents.JSON.writeValueAsString(list) + "}";
                } else if (path.startsWith("/v1/promotion_codes/") && promotionCodes.containsKey(path.substring(20))) {
                    ObjectNode code = promotionCodes.get(path.substring(20));
                    if (form.containsKey("active")) code.put("active", Boolean.parseBoolean(form.get("active")));
                    body = StripeEvents.JSON.writeValueAsString(code);
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
