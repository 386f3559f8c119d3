package dev.yardmaster.testing.profiles;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Outbound notifications and flood control, in one application: a signed webhook endpoint
 * ("chat", environment.* events) pointing at {@link Receiver}, a real HTTP server on loopback,
 * polled every 0.1 s; and the audit's flood-control limits lowered to 5 refusals and 3 heavy
 * reads per principal and minute, with a checkpoint interval of 1 h. WebhookTest and
 * FloodControlTest share it: each profile costs the suite an augmentation and a start (~45 s on
 * 2 cores). Tests here must tolerate the low limits (use a principal of their own for refusals and
 * audit reads, or expect 429) and webhook deliveries for environment events.
 */
public class WebhooksAndLimitsProfile implements QuarkusTestProfile {

    /** One delivery as the receiver got it. */
    public record Received(String event, String signature, String deliveryId, byte[] body) {
    }

    /** A real HTTP endpoint on loopback that records deliveries and fails the first attempt of marked ones. */
    public static final class Receiver {
        /** Deliveries answered 204, in arrival order. */
        public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
        /** Marker → attempts: a delivery whose body contains a marker fails (500) on its first attempt. */
        public static final Map<String, AtomicInteger> FAIL_FIRST = new ConcurrentHashMap<>();
        static final HttpServer SERVER = start();

        private Receiver() {
        }

        static HttpServer start() {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.createContext("/hook", exchange -> {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    String text = new String(body);
                    boolean fail = FAIL_FIRST.entrySet().stream()
                            .anyMatch(e -> text.contains(e.getKey()) && e.getValue().getAndIncrement() == 0);
                    if (!fail) {
                        RECEIVED.add(new Received(exchange.getRequestHeaders().getFirst("X-Yardmaster-Event"),
                                exchange.getRequestHeaders().getFirst("X-Yardmaster-Signature"),
                                exchange.getRequestHeaders().getFirst("X-Yardmaster-Delivery"), body));
                    }
                    exchange.sendResponseHeaders(fail ? 500 : 204, -1);
                    exchange.close();
                });
                server.start();
                return server;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        config.put("yardmaster.webhooks.endpoints.chat.url", "http://127.0.0.1:" + Receiver.SERVER.getAddress().getPort() + "/hook");
        config.put("yardmaster.webhooks.endpoints.chat.events", "environment.*");
        config.put("yardmaster.webhooks.endpoints.chat.secret", "s3cret");
        config.put("yardmaster.webhooks.poll-interval", "0.1s");
        config.put("yardmaster.webhooks.initial-backoff", "0.2s");
        config.put("yardmaster.audit.refusals-per-minute", "5");
        config.put("yardmaster.audit.heavy-reads-per-minute", "3");
        config.put("yardmaster.audit.checkpoint-interval", "1h");
        return config;
    }
}
