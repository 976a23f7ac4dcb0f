package io.parley.runtime.bench;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * A probe on the runtime's side of each socket, so pacing jitter can be told apart from what the
 * loopback and the emulator's client add: it wraps the media endpoint (a bean post-processor on its
 * {@link ServerEndpointConfig}, no change to the runtime) and timestamps every {@code sendText} of a
 * media message where the runtime's writer makes it. Each socket's session is a thin proxy; nothing
 * else changes.
 */
final class SendTap implements BeanPostProcessor {

    /** Measurements while a window is open (null otherwise). */
    volatile PhoneNetwork.Window window;

    @Override
    public Object postProcessAfterInitialization(Object bean, String name) {
        if (!(bean instanceof ServerEndpointConfig original)) return bean;
        ServerEndpointConfig.Configurator inner = original.getConfigurator();
        SendTap tap = this;
        return ServerEndpointConfig.Builder.create(Tapped.class, original.getPath())
                .subprotocols(original.getSubprotocols())
                .extensions(original.getExtensions())
                .encoders(original.getEncoders())
                .decoders(original.getDecoders())
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> type) throws InstantiationException {
                        return type.cast(new Tapped((Endpoint) inner.getEndpointInstance(original.getEndpointClass()), tap));
                    }

                    @Override
                    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
                        inner.modifyHandshake(config, request, response);
                    }
                })
                .build();
    }

    /** The runtime's endpoint, seeing each socket through a session whose sends are timed. */
    public static final class Tapped extends Endpoint {
        private final Endpoint endpoint;
        private final SendTap tap;
        private Session wrapped;

        Tapped(Endpoint endpoint, SendTap tap) {
            this.endpoint = endpoint;
            this.tap = tap;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            wrapped = tap.wrap(session);
            endpoint.onOpen(wrapped, config);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            endpoint.onClose(wrapped == null ? session : wrapped, reason);
        }

        @Override
        public void onError(Session session, Throwable error) {
            endpoint.onError(wrapped == null ? session : wrapped, error);
        }
    }

    private Session wrap(Session session) {
        Pacing pacing = new Pacing();
        RemoteEndpoint.Basic timedBasic = timed(RemoteEndpoint.Basic.class, session.getBasicRemote(), pacing);
        RemoteEndpoint.Async timedAsync = timed(RemoteEndpoint.Async.class, session.getAsyncRemote(), pacing);
        return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class}, (proxy, method, args) -> {
            if (method.getName().equals("getBasicRemote")) return timedBasic;
            if (method.getName().equals("getAsyncRemote")) return timedAsync;
            try {
                return method.invoke(session, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** A remote endpoint whose {@code sendText} calls (blocking or asynchronous) of media messages are timestamped. */
    private <R> R timed(Class<R> type, R remote, Pacing pacing) {
        return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            boolean media = method.getName().equals("sendText") && args != null && args.length >= 1
                    && args[0] instanceof String text && text.startsWith("{\"event\":\"media\"");
            long at = System.nanoTime();
            try {
                return method.invoke(remote, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                if (media) pacing.sent(at, System.nanoTime() - at, (String) args[0], window);
            }
        }));
    }

    /** One socket's sends: frames of the same sentence in sequence form a burst; |gap - 20 ms| from its fifth frame on. */
    private static final class Pacing {
        private long previous;
        private int lastSynth = -1;
        private int lastIndex = -1;
        private int k;

        synchronized void sent(long at, long blockedNanos, String text, PhoneNetwork.Window window) {
            int p = text.indexOf("\"payload\":\"") + 11;
            byte[] head = Base64.getDecoder().decode(text.substring(p, p + 12).getBytes(StandardCharsets.ISO_8859_1));
            int synth = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            int index = ((head[4] & 0xFF) << 8) | (head[5] & 0xFF);
            boolean continues = synth == lastSynth && index == lastIndex + 1 && at - previous < 200_000_000L;
            k = continues ? k + 1 : 0;
            if (window != null) {
                window.sendBlocked.record(blockedNanos);
                if (continues && k > Caller.LEAD_FRAMES) window.sendJitter.record(Math.abs(at - previous - Caller.FRAME));
            }
            previous = at;
            lastSynth = synth;
            lastIndex = index;
        }
    }
}
