package io.parley.runtime.media.twilio;

import io.parley.runtime.session.CallTokens;
import io.parley.runtime.session.TwilioSignature;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The Jakarta WebSocket endpoint Twilio's {@code <Connect><Stream url=...>} opens, at {@link #PATH}.
 * Each socket gets its own {@link MediaStreamConnection}.
 */
public final class MediaStreamEndpoint extends Endpoint {

    public static final String PATH = "/media-stream";
    private static final String CONNECTION = MediaStreamConnection.class.getName();
    private static final String SIGNATURE_OK = MediaStreamEndpoint.class.getName() + ".signatureOk";

    private final CallTokens tokens;
    private final CallHandler.Factory handlers;
    private final MediaStreamMetrics metrics;
    private final PlayoutScheduler scheduler;
    private final int leadMillis;

    public MediaStreamEndpoint(CallTokens tokens, CallHandler.Factory handlers, MediaStreamMetrics metrics,
                               PlayoutScheduler scheduler, int leadMillis) {
        this.tokens = tokens;
        this.handlers = handlers;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.leadMillis = leadMillis;
    }

    /** The endpoint's configuration: this instance for every socket, and the upgrade's signature checked when configured. */
    public ServerEndpointConfig config(TwilioSignature signature, String publicUrl) {
        MediaStreamEndpoint self = this;
        return ServerEndpointConfig.Builder.create(MediaStreamEndpoint.class, PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> type) {
                        return type.cast(self);
                    }

                    @Override
                    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
                        boolean ok = true;
                        if (signature != null) {
                            List<String> given = request.getHeaders().entrySet().stream()
                                    .filter(e -> e.getKey().equalsIgnoreCase("X-Twilio-Signature"))
                                    .flatMap(e -> e.getValue().stream()).toList();
                            ok = !given.isEmpty() && signature.valid(publicUrl, Map.of(), given.getFirst());
                        }
                        // the container hands modifyHandshake a per-socket copy: this reaches onOpen of this socket only
                        config.getUserProperties().put(SIGNATURE_OK, ok);
                    }
                })
                .build();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        session.setMaxTextMessageBufferSize(TwilioCodec.MAX_FRAME_CHARS);
        session.setMaxBinaryMessageBufferSize(64 * 1024);
        Object signatureOk = session.getUserProperties().get(SIGNATURE_OK);
        if (Boolean.FALSE.equals(signatureOk)) {
            metrics.closedForCause("bad_signature");
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "invalid X-Twilio-Signature"));
            } catch (IOException ignored) {
                // already gone
            }
            return;
        }
        MediaStreamConnection connection = new MediaStreamConnection(session, tokens, handlers.create(), metrics, scheduler, leadMillis);
        session.getUserProperties().put(CONNECTION, connection);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) connection::onText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) bytes -> connection.onBinary());
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (session.getUserProperties().get(CONNECTION) instanceof MediaStreamConnection connection) {
            connection.onClose("socket closed: " + reason.getCloseCode().getCode());
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        metrics.rejected("socket_error");
        if (session.getUserProperties().get(CONNECTION) instanceof MediaStreamConnection connection) {
            connection.fail("socket error");
        }
    }
}
