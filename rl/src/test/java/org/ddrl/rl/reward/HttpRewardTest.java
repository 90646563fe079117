package org.ddrl.rl.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Npy;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpReward} against an in-process server whose reward for a video is the mean of its values plus the length
 * of its prompt, read back from the .npy payload, so the test checks the whole round trip.
 */
class HttpRewardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private HttpServer server;
    private ExecutorService executor;
    private final AtomicInteger calls = new AtomicInteger();
    /** What the server does on call n (1-based): null = answer normally. */
    private volatile Behaviour behaviour = n -> null;

    private interface Behaviour {
        Reply on(int call) throws Exception;
    }

    private record Reply(int status, String body, long delayMillis) {}

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.createContext("/score", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/score");
    }

    private HttpReward reward(int attempts, Duration timeout, HttpReward.Layout layout) {
        return new HttpReward("remote", new HttpReward.Options(url(), Duration.ofSeconds(2), timeout, attempts, Duration.ofMillis(10), 2, layout));
    }

    private void handle(HttpExchange ex) throws IOException {
        int n = calls.incrementAndGet();
        try (ex) {
            Reply r = behaviour.on(n);
            byte[] request = ex.getRequestBody().readAllBytes();
            if (r == null) r = new Reply(200, score(request), 0);
            if (r.delayMillis() > 0) Thread.sleep(r.delayMillis());
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) ex.getResponseBody().write(out);
        } catch (Exception e) {
            if (e instanceof IOException io) throw io;
            throw new IOException(e);
        }
    }

    /** The reference server: reward = mean of the video + length of the prompt. */
    private String score(byte[] request) throws IOException {
        JsonNode root = JSON.readTree(request);
        List<Double> rewards = new ArrayList<>();
        JsonNode prompts = root.get("prompts");
        List<Tensor> videos = new ArrayList<>();
        if (root.get("layout").asText().equals("batch")) {
            Tensor all = decode(root.get("videos").asText());
            for (int i = 0; i < all.size(0); i++) videos.add(all.select(0, i));
        } else {
            for (JsonNode v : root.get("videos")) videos.add(decode(v.asText()));
        }
        for (int i = 0; i < videos.size(); i++) {
            if (videos.get(i).dim() != 4) throw new IOException("expected [3, T, H, W] videos");
            rewards.add(videos.get(i).mean().item() + prompts.get(i).asText().length());
        }
        return JSON.writeValueAsString(java.util.Map.of("rewards", rewards));
    }

    private Tensor decode(String b64) throws IOException {
        Path p = Files.createTempFile(dir, "video", ".npy");
        Files.write(p, Base64.getDecoder().decode(b64));
        return Npy.read(p);
    }

    private static Tensor videos() {
        return Tensor.randn(new Generator(3), 2, 3, 2, 4, 4);
    }

    private static float[] expected(Tensor videos, List<String> prompts) {
        float[] out = new float[videos.size(0)];
        for (int i = 0; i < out.length; i++) out[i] = (float) (videos.select(0, i).mean().item() + prompts.get(i).length());
        return out;
    }

    @Test
    void scoresVideosSentOneByOneOrAsABatch() {
        Tensor v = videos();
        List<String> prompts = List.of("a red circle moving left", "x");
        for (HttpReward.Layout layout : HttpReward.Layout.values()) {
            try (HttpReward r = reward(1, Duration.ofSeconds(5), layout)) {
                Tensor s = r.score(v, prompts);
                assertArrayEquals(expected(v, prompts), s.toFloatArray(), 1e-5f, layout.toString());
                assertEquals("remote", r.name());
            }
        }
        assertEquals(2, calls.get());
    }

    @Test
    void retriesServerErrorsWithBackoffThenSucceeds() {
        behaviour = n -> n < 3 ? new Reply(503, "busy, try later", 0) : null;
        Tensor v = videos();
        List<String> prompts = List.of("a", "bb");
        try (HttpReward r = reward(3, Duration.ofSeconds(5), HttpReward.Layout.PER_VIDEO)) {
            assertArrayEquals(expected(v, prompts), r.score(v, prompts).toFloatArray(), 1e-5f);
        }
        assertEquals(3, calls.get());
    }

    @Test
    void retriesATimeoutThenSucceeds() {
        behaviour = n -> n == 1 ? new Reply(200, "{\"rewards\": [0, 0]}", 1500) : null;
        Tensor v = videos();
        List<String> prompts = List.of("a", "b");
        try (HttpReward r = reward(2, Duration.ofMillis(300), HttpReward.Layout.BATCH)) {
            assertArrayEquals(expected(v, prompts), r.score(v, prompts).toFloatArray(), 1e-5f);
        }
        assertEquals(2, calls.get());
    }

    @Test
    void givesUpAfterTheLastAttemptNamingUrlStatusAndBody() {
        behaviour = n -> new Reply(500, "internal error: model not loaded", 0);
        try (HttpReward r = reward(2, Duration.ofSeconds(5), HttpReward.Layout.PER_VIDEO)) {
            RewardServiceException e = assertThrows(RewardServiceException.class, () -> r.score(videos(), List.of("a", "b")));
            String m = e.getMessage();
            assertTrue(m.contains(url().toString()) && m.contains("2 attempts") && m.contains("status 500") && m.contains("model not loaded"), m);
        }
        assertEquals(2, calls.get());
    }

    @Test
    void timeoutsExhaustTheAttempts() {
        behaviour = n -> new Reply(200, "{\"rewards\": [0, 0]}", 1000);
        try (HttpReward r = reward(2, Duration.ofMillis(200), HttpReward.Layout.PER_VIDEO)) {
            RewardServiceException e = assertThrows(RewardServiceException.class, () -> r.score(videos(), List.of("a", "b")));
            assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains(url().toString()), e.getMessage());
        }
    }

    @Test
    void clientErrorsAreNotRetried() {
        behaviour = n -> new Reply(400, "{\"error\": \"prompts missing\"}", 0);
        try (HttpReward r = reward(5, Duration.ofSeconds(5), HttpReward.Layout.PER_VIDEO)) {
            RewardServiceException e = assertThrows(RewardServiceException.class, () -> r.score(videos(), List.of("a", "b")));
            assertTrue(e.getMessage().contains("status 400") && e.getMessage().contains("not retried") && e.getMessage().contains("prompts missing"),
                    e.getMessage());
        }
        assertEquals(1, calls.get());
    }

    @Test
    void malformedAnswersFailClearly() {
        String[][] cases = {
                {"not json at all", "not JSON"},
                {"{\"scores\": [1, 2]}", "no \"rewards\" array"},
                {"{\"rewards\": [1]}", "sent 2 videos but got 1 rewards"},
                {"{\"rewards\": [1, \"high\"]}", "reward 1 is \"high\""},
                {"{\"rewards\": [1, null]}", "reward 1 is null"}};
        for (String[] c : cases) {
            behaviour = n -> new Reply(200, c[0], 0);
            try (HttpReward r = reward(3, Duration.ofSeconds(5), HttpReward.Layout.PER_VIDEO)) {
                RewardServiceException e = assertThrows(RewardServiceException.class, () -> r.score(videos(), List.of("a", "b")), c[0]);
                assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(url().toString()), e.getMessage());
            }
        }
        assertEquals(cases.length, calls.get(), "a malformed answer is not retried");
    }

    @Test
    void anUnreachableServiceFailsAfterItsAttempts() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port + "/score");
        try (HttpReward r = new HttpReward("remote", new HttpReward.Options(nowhere, Duration.ofSeconds(1), Duration.ofSeconds(1), 2,
                Duration.ZERO, 1, HttpReward.Layout.PER_VIDEO))) {
            RewardServiceException e = assertThrows(RewardServiceException.class, () -> r.score(videos(), List.of("a", "b")));
            assertTrue(e.getMessage().contains(nowhere.toString()) && e.getMessage().contains("gave up after 2 attempts"), e.getMessage());
        }
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> HttpReward.Options.defaults(URI.create("ftp://host/x")));
        assertThrows(IllegalArgumentException.class, () -> new HttpReward.Options(url(), Duration.ZERO, Duration.ofSeconds(1), 1, Duration.ZERO, 1,
                HttpReward.Layout.BATCH));
        assertThrows(IllegalArgumentException.class, () -> new HttpReward.Options(url(), Duration.ofSeconds(1), Duration.ofSeconds(1), 0,
                Duration.ZERO, 1, HttpReward.Layout.BATCH));
        HttpReward.Options d = HttpReward.Options.defaults(url());
        assertEquals(3, d.maxAttempts());
        assertEquals(HttpReward.Layout.PER_VIDEO, d.layout());
    }
}
