package io.parley.platform.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.IntegrationTest;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The sandbox carrier puts a call under way through to a number as Twilio's redirect does: the simulated caller's
 * Media Stream to the voice runtime (here a stand-in that only listens) stops, and the call completes, "transferred".
 */
class SandboxTransferIntegrationTests extends IntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    private StringRedisTemplate redis;

    /** A voice runtime stand-in: keeps every stream open and notes each event type it gets. */
    @ServerEndpoint("/media-stream")
    public static class ListeningRuntime {
        static final List<String> events = new CopyOnWriteArrayList<>();

        @OnMessage
        public void message(String text, Session session) {
            int at = text.indexOf("\"event\":\"");
            events.add(text.substring(at + 9, text.indexOf('"', at + 9)));
        }
    }

    static Tomcat tomcat;
    static int port;

    @BeforeAll
    static void runtime() throws Exception {
        tomcat = new Tomcat();
        tomcat.setPort(0);
        tomcat.setBaseDir(java.nio.file.Files.createTempDirectory("sandbox-transfer").toString());
        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(new WsSci(), null);
        Tomcat.addServlet(context, "default", new jakarta.servlet.http.HttpServlet() {});   // requests need a servlet to reach the upgrade filter
        context.addServletMappingDecoded("/", "default");
        ((org.apache.catalina.core.StandardContext) context).addApplicationLifecycleListener(new jakarta.servlet.ServletContextListener() {
            @Override
            public void contextInitialized(jakarta.servlet.ServletContextEvent event) {
                try {
                    ((ServerContainer) event.getServletContext().getAttribute(ServerContainer.class.getName())).addEndpoint(ListeningRuntime.class);
                } catch (jakarta.websocket.DeploymentException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        tomcat.getConnector();
        tomcat.start();
        port = tomcat.getConnector().getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }

    @Test
    void aTransferredCallLeavesTheRuntimeAndCompletesAsTransferred() throws Exception {
        BlockingQueue<CarrierEvents.Report> reports = new LinkedBlockingQueue<>();
        try (SandboxTelephony sandbox = new SandboxTelephony(redis, "parley:sandbox:test:" + UUID.randomUUID() + ":", report -> reports.add(report),
                Duration.ZERO, Duration.ofMinutes(5), Clock.systemUTC(), URI.create("ws://127.0.0.1:" + port + "/media-stream"))) {
            String sid = "SB" + UUID.randomUUID().toString().replace("-", "");
            sandbox.callIn(sid, "a-call-token", false, List.of("Hello?"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ListeningRuntime.events.contains("start")) {
                assertThat(System.nanoTime()).as("the caller joined the runtime: %s", reports).isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(sandbox.transferredTo(sid)).isEmpty();

            sandbox.transfer(sid, "+18002738255");

            CarrierEvents.Report completed = reports.poll(10, TimeUnit.SECONDS);
            assertThat(completed).as("the call completed after the transfer").isNotNull();
            assertThat(completed.status()).isEqualTo("completed");
            assertThat(completed.reason()).isEqualTo("transferred to +18002738255");
            assertThat(ListeningRuntime.events).as("the stream stopped as Twilio stops it").contains("stop");
            assertThat(sandbox.transferredTo(sid)).contains("+18002738255");
        }
    }
}
