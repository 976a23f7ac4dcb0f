package io.parley.platform.telephony.twilio;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Twilio's REST API on loopback: Prism ({@code src/test/prism}) serving Twilio's own OpenAPI spec
 * ({@code src/test/resources/vendor-specs/twilio}), so every request is checked against Twilio's
 * contract (an invalid one gets 422, an unauthenticated one 401), behind a small recording proxy that keeps
 * each request for the test to read and plays two of Twilio's magic test numbers Prism cannot:
 * {@value #INVALID_NUMBER} (Twilio's error 21217, 400) and {@value #UNAVAILABLE_NUMBER} (a 503).
 *
 * <p>Prism is installed with {@code npm ci} into {@code ~/.cache/parley/prism-<lock hash>} the first time
 * (about 20 s; needs Node.js and npm, which {@code .ci/run} installs).
 */
final class PrismTwilio implements AutoCloseable {

    static final String INVALID_NUMBER = "+15005550001";
    static final String UNAVAILABLE_NUMBER = "+15005550009";
    /** The audio of every recording: a RIFF WAV, 8 kHz 16-bit mono, a tenth of a second of a ramp. */
    static final byte[] RECORDING = recording();

    private static byte[] recording() {
        java.nio.ByteBuffer wav = java.nio.ByteBuffer.allocate(44 + 1_600).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes()).putInt(36 + 1_600).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(8_000).putInt(16_000).putShort((short) 2).putShort((short) 16).put("data".getBytes()).putInt(1_600);
        for (int i = 0; i < 800; i++) wav.putShort((short) (i * 40));
        return wav.array();
    }

    /** One request the adapter sent, as Prism received it, and Prism's answer. */
    record Exchange(String method, String path, String query, String body, int status) {}

    private final Process prism;
    private final HttpServer proxy;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    private PrismTwilio(Process prism, int prismPort) throws IOException {
        this.prism = prism;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        proxy.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            URI uri = exchange.getRequestURI();
            int status;
            byte[] answer;
            String contentType = "application/json";
            if (body.contains("To=" + java.net.URLEncoder.encode(INVALID_NUMBER, StandardCharsets.UTF_8))) {
                status = 400;
                answer = """
                        {"code": 21217, "message": "Phone number is not a valid phone number", "more_info": "https://www.twilio.com/docs/errors/21217", "status": 400}"""
                        .getBytes(StandardCharsets.UTF_8);
            } else if (body.contains("To=" + java.net.URLEncoder.encode(UNAVAILABLE_NUMBER, StandardCharsets.UTF_8))) {
                status = 503;
                answer = "{\"code\": 20503, \"message\": \"Service unavailable\", \"status\": 503}".getBytes(StandardCharsets.UTF_8);
            } else if ("GET".equals(exchange.getRequestMethod()) && uri.getPath().endsWith(".wav")) {
                // a recording's media: Twilio serves it at the recording's URI with .wav, which its OpenAPI spec does not describe
                status = 200;
                answer = RECORDING;
                contentType = "audio/x-wav";
            } else {
                HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prismPort + uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofString(forPrism(body)));
                for (String header : List.of("Authorization", "Content-Type", "Accept")) {
                    String value = exchange.getRequestHeaders().getFirst(header);
                    if (value != null) forward.header(header, value);
                }
                try {
                    HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                    status = response.statusCode();
                    answer = response.body();
                    contentType = response.headers().firstValue("Content-Type").orElse(contentType);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            exchanges.add(new Exchange(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), body, status));
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) exchange.getResponseBody().write(answer);
            exchange.close();
        });
        proxy.start();
    }

    /**
     * Twilio takes an array as the same form field repeated (its docs: "specify each one in a separate
     * parameter"), which is what twilio-java sends; Prism's form parser only knows {@code Key[]=} for arrays.
     * The body goes to Prism with repeated fields renamed so; the test still reads the body as sent.
     */
    static String forPrism(String body) {
        if (body.isEmpty()) {
            return body;
        }
        java.util.Map<String, Long> counts = java.util.Arrays.stream(body.split("&")).map(p -> p.split("=", 2)[0])
                .collect(java.util.stream.Collectors.groupingBy(k -> k, java.util.stream.Collectors.counting()));
        return java.util.Arrays.stream(body.split("&")).map(p -> {
            String key = p.split("=", 2)[0];
            return counts.get(key) > 1 ? key + "%5B%5D" + p.substring(key.length()) : p;
        }).collect(java.util.stream.Collectors.joining("&"));
    }

    static PrismTwilio start() throws Exception {
        Path install = install();
        Path spec = Path.of("src/test/resources/vendor-specs/twilio/twilio_api_v2010.json").toAbsolutePath();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createDirectories(Path.of("target")).resolve("prism-twilio.log");
        Process process = new ProcessBuilder(install.resolve("node_modules/.bin/prism").toString(), "mock", "-h", "127.0.0.1", "-p",
                String.valueOf(port), spec.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("Prism did not start; see " + log.toAbsolutePath() + ":\n" + Files.readString(log));
                }
                Thread.sleep(200);
            }
        }
        return new PrismTwilio(process, port);
    }

    /** Where Prism is installed, installing it first if needed. */
    private static Path install() throws Exception {
        Path source = Path.of("src/test/prism");
        byte[] lock = Files.readAllBytes(source.resolve("package-lock.json"));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lock)).substring(0, 12);
        Path target = Path.of(System.getProperty("user.home"), ".cache", "parley", "prism-" + hash);
        if (Files.isExecutable(target.resolve("node_modules/.bin/prism"))) {
            return target;
        }
        Path staging = Files.createDirectories(target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()));
        Files.copy(source.resolve("package.json"), staging.resolve("package.json"));
        Files.write(staging.resolve("package-lock.json"), lock);
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error").directory(staging.toFile())
                .redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (npm.waitFor() != 0) {
            throw new IllegalStateException("npm ci of Prism failed (Node.js and npm are needed; .ci/run installs them):\n" + output);
        }
        try {
            Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException anotherInstalledIt) {
            if (!Files.isExecutable(target.resolve("node_modules/.bin/prism"))) throw anotherInstalledIt;
        }
        return target;
    }

    /** Where the adapter should send its requests. */
    URI url() {
        return URI.create("http://127.0.0.1:" + proxy.getAddress().getPort());
    }

    List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    @Override
    public void close() {
        proxy.stop(0);
        prism.destroy();
    }
}
