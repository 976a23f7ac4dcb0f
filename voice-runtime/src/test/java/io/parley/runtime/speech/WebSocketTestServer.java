package io.parley.runtime.speech;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * A loopback WebSocket server for adapter tests (Deepgram, OpenAI Realtime): embedded Tomcat with its Jakarta WebSocket
 * container, one endpoint path, started standalone (no Spring). A {@code gate} sees each handshake
 * first and may refuse it with an HTTP status; accepted connections are handed to the test, which
 * reads what the client sent ({@link Connection#next}) and scripts the replies.
 */
public final class WebSocketTestServer implements AutoCloseable {

    /** What the client asked for: path, decoded query parameters (repeated ones in order), headers (lower-case names). */
    public record Handshake(String path, String rawQuery, Map<String, List<String>> query, Map<String, List<String>> headers) {
        public String param(String name) {
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** A refused handshake: the status, extra headers and a JSON body. */
    public record Refusal(int status, Map<String, String> headers, String body) {}

    /** A message from the client. */
    public sealed interface Frame permits Text, Binary {}

    public record Text(String text) implements Frame {}

    public record Binary(byte[] bytes) implements Frame {}

    /** One accepted socket. */
    public static final class Connection {
        public final Handshake handshake;
        public final LinkedBlockingQueue<Frame> received = new LinkedBlockingQueue<>();
        public final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        private volatile Session session;

        Connection(Handshake handshake) {
            this.handshake = handshake;
        }

        /** The next message, or an AssertionError after {@code timeout}. */
        public Frame next(Duration timeout) throws InterruptedException {
            Frame frame = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no message from the client within " + timeout);
            }
            return frame;
        }

        /** Reads messages until a text one matches, returning the binary bytes received before it. */
        public byte[] awaitText(Predicate<String> matching, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            ByteArrayOutputStream binary = new ByteArrayOutputStream();
            while (true) {
                Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (frame instanceof Binary b) {
                    binary.writeBytes(b.bytes());
                } else if (frame instanceof Text t && matching.test(t.text())) {
                    return binary.toByteArray();
                }
            }
        }

        /** Reads binary messages until {@code length} bytes have arrived (text messages are skipped); returns them. */
        public byte[] awaitBinary(int length, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            ByteArrayOutputStream binary = new ByteArrayOutputStream();
            while (binary.size() < length) {
                Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (frame instanceof Binary b) {
                    binary.writeBytes(b.bytes());
                }
            }
            return binary.toByteArray();
        }

        public void send(String text) throws IOException {
            synchronized (this) {
                session.getBasicRemote().sendText(text);
            }
        }

        public void close(int code, String reason) throws IOException {
            synchronized (this) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            }
        }
    }

    private static final String HANDSHAKE = "parley.test.handshake";
    /** Held so the level sticks: Tomcat logs every start and stop at INFO through java.util.logging. */
    private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

    static {
        TOMCAT_LOG.setLevel(Level.WARNING);
    }

    private final Tomcat tomcat;
    private final Connector connector;
    private final LinkedBlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
    private final List<Connection> all = Collections.synchronizedList(new ArrayList<>());

    /**
     * Starts on a free loopback port with one endpoint at {@code path}; {@code gate} returns null to
     * accept a handshake or a refusal.
     */
    public WebSocketTestServer(String path, Function<Handshake, Refusal> gate) throws IOException, LifecycleException {
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("ws-test-server").toString());
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", Files.createTempDirectory("ws-test-docs").toString());
        if (context instanceof StandardContext standard) { // nothing to leak: skip the checks that want --add-opens
            standard.setClearReferencesThreadLocals(false);
            standard.setClearReferencesRmiTargets(false);
        }
        context.addServletContainerInitializer(new WsSci(), null);
        Tomcat.addServlet(context, "default", new HttpServlet() {});
        context.addServletMappingDecoded("/", "default");
        FilterDef gateDef = new FilterDef();
        gateDef.setFilterName("gate");
        gateDef.setFilter(new GateFilter(gate));
        context.addFilterDef(gateDef);
        FilterMap gateMap = new FilterMap();
        gateMap.setFilterName("gate");
        gateMap.addURLPattern("/*");
        context.addFilterMapBefore(gateMap); // before Tomcat's WsFilter, which upgrades
        tomcat.start();
        ServerContainer container = (ServerContainer) context.getServletContext().getAttribute(ServerContainer.class.getName());
        try {
            container.addEndpoint(ServerEndpointConfig.Builder.create(TestEndpoint.class, path)
                    .configurator(new ServerEndpointConfig.Configurator() {
                        @Override
                        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
                            config.getUserProperties().put(HANDSHAKE, handshake(request.getRequestURI().getPath(),
                                    request.getQueryString(), request.getHeaders()));
                        }

                        @Override
                        @SuppressWarnings("unchecked")
                        public <T> T getEndpointInstance(Class<T> endpointClass) {
                            return (T) new TestEndpoint(WebSocketTestServer.this);
                        }
                    })
                    .build());
        } catch (DeploymentException e) {
            throw new IOException(e);
        }
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort());
    }

    /** The next accepted connection, or an AssertionError after {@code timeout}. */
    public Connection awaitConnection(Duration timeout) throws InterruptedException {
        Connection connection = connections.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (connection == null) {
            throw new AssertionError("no connection within " + timeout);
        }
        return connection;
    }

    /** A connection accepted within {@code timeout}, or null. */
    public Connection pollConnection(Duration timeout) throws InterruptedException {
        return connections.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }

    private static Handshake handshake(String path, String rawQuery, Map<String, List<String>> rawHeaders) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        rawHeaders.forEach((name, values) -> headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        return new Handshake(path, rawQuery, query, headers);
    }

    /** Jakarta endpoint: one instance per connection. */
    public static final class TestEndpoint extends Endpoint {
        private final WebSocketTestServer server;

        TestEndpoint(WebSocketTestServer server) {
            this.server = server;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            Connection connection = new Connection((Handshake) config.getUserProperties().get(HANDSHAKE));
            connection.session = session;
            session.getUserProperties().put("connection", connection);
            session.setMaxBinaryMessageBufferSize(1 << 20);
            session.setMaxTextMessageBufferSize(1 << 20);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> connection.received.add(new Text(text)));
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                connection.received.add(new Binary(bytes));
            });
            server.all.add(connection);
            server.connections.add(connection);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            if (session.getUserProperties().get("connection") instanceof Connection connection) {
                connection.closed.complete(reason);
            }
        }

        @Override
        public void onError(Session session, Throwable error) {
            if (session.getUserProperties().get("connection") instanceof Connection connection) {
                connection.closed.complete(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, String.valueOf(error)));
            }
        }
    }

    /** Runs the gate on upgrade requests; a refusal is written as the HTTP response. */
    private static final class GateFilter implements Filter {
        private final Function<Handshake, Refusal> gate;

        GateFilter(Function<Handshake, Refusal> gate) {
            this.gate = gate;
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String name : Collections.list(request.getHeaderNames())) {
                headers.put(name, Collections.list(request.getHeaders(name)));
            }
            Refusal refusal = gate.apply(handshake(request.getRequestURI(), request.getQueryString(), headers));
            if (refusal == null) {
                chain.doFilter(req, res);
                return;
            }
            HttpServletResponse response = (HttpServletResponse) res;
            response.setStatus(refusal.status());
            refusal.headers().forEach(response::setHeader);
            response.setContentType("application/json");
            byte[] body = refusal.body().getBytes(StandardCharsets.UTF_8);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
