package org.ddrl.rl.reward;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Npy;

/**
 * A reward computed by an external service over HTTP. Each {@link #score} POSTs one JSON request and expects
 * {@code {"rewards": [r_0, ..., r_{B-1}]}} (finite numbers, one per video, in order) with status 2xx.
 *
 * <p>Request, {@code Content-Type: application/json}:
 * <pre>
 *   {"prompts": ["a red circle moving left", ...],
 *    "layout": "per_video",  "videos": ["&lt;base64 .npy of video 0, float32 [3, T, H, W]&gt;", ...]}
 *   or
 *    "layout": "batch",      "videos": "&lt;base64 .npy of all videos, float32 [B, 3, T, H, W]&gt;"}
 * </pre>
 * Values are in [-1, 1] as the trainer produces them; .npy is NumPy's format (load with
 * {@code numpy.load(io.BytesIO(base64.b64decode(s)))}).
 *
 * <p>Failures. A connection failure, a timeout (connect or whole request) or a 5xx status is retried up to
 * {@code maxAttempts} times in all, waiting {@code backoff * multiplier^(attempt - 1)} between attempts; a 4xx status
 * or a malformed answer fails at once. Every error is a {@link RewardServiceException} whose message names the URL,
 * the attempt, and for HTTP errors the status and the start of the body.
 */
public final class HttpReward implements Reward {
    /** How the videos travel in the request. */
    public enum Layout {
        /** "videos" is an array of base64 .npy strings, one [3, T, H, W] array per video. */
        @JsonProperty("per_video") PER_VIDEO("per_video"),
        /** "videos" is one base64 .npy string of the whole [B, 3, T, H, W] batch. */
        @JsonProperty("batch") BATCH("batch");

        private final String wire;

        Layout(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * @param url              where to POST
     * @param connectTimeout   limit on opening the connection
     * @param requestTimeout   limit on one whole request, from sending to the end of the answer
     * @param maxAttempts      attempts in all (1 = no retry)
     * @param backoff          wait before the second attempt
     * @param backoffMultiplier factor on the wait for each further attempt (>= 1)
     * @param layout           how the videos are sent
     */
    public record Options(URI url, Duration connectTimeout, Duration requestTimeout, int maxAttempts, Duration backoff,
                          double backoffMultiplier, Layout layout) {
        public Options {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(layout, "layout");
            String scheme = url.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("HttpReward: url must be an absolute http(s) URL with a host, got '" + url + "'");
            }
            positive("connectTimeout", connectTimeout);
            positive("requestTimeout", requestTimeout);
            if (maxAttempts < 1) throw new IllegalArgumentException("HttpReward: maxAttempts must be >= 1, got " + maxAttempts);
            if (backoff == null || backoff.isNegative()) throw new IllegalArgumentException("HttpReward: backoff must be >= 0, got " + backoff);
            if (!(backoffMultiplier >= 1) || Double.isInfinite(backoffMultiplier)) {
                throw new IllegalArgumentException("HttpReward: backoffMultiplier must be finite and >= 1, got " + backoffMultiplier);
            }
        }

        /** 10 s to connect, 120 s per request, 3 attempts, 1 s backoff doubling, one .npy per video. */
        public static Options defaults(URI url) {
            return new Options(url, Duration.ofSeconds(10), Duration.ofSeconds(120), 3, Duration.ofSeconds(1), 2, Layout.PER_VIDEO);
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("HttpReward: " + name + " must be > 0, got " + d);
        }
    }

    private static final int SNIPPET = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Options options;
    private final HttpClient client;

    public HttpReward(String name, Options options) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("HttpReward: name must not be blank");
        this.name = name;
        this.options = options;
        this.client = HttpClient.newBuilder().connectTimeout(options.connectTimeout()).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Tensor score(Tensor videos, List<String> prompts) {
        RewardInputs.check("HttpReward " + options.url(), videos, prompts);
        byte[] body = requestBody(videos, prompts);
        HttpRequest request = HttpRequest.newBuilder(options.url()).timeout(options.requestTimeout())
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String last = null;
        for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
            if (attempt > 1) pause(attempt, last);
            String where = where(attempt);
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                last = where + ": timed out (" + e.getMessage() + "; connect timeout " + options.connectTimeout() + ", request timeout "
                        + options.requestTimeout() + ")";
                continue;
            } catch (IOException e) {
                last = where + ": request failed: " + e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RewardServiceException(where + ": interrupted while waiting for the answer", e);
            }
            int status = response.statusCode();
            if (status >= 500) {
                last = where + ": status " + status + ", body: " + snippet(response.body());
                continue;
            }
            if (status < 200 || status >= 300) {
                throw new RewardServiceException(where + ": status " + status + " (not retried), body: " + snippet(response.body()));
            }
            return Tensor.of(parse(where, response.body(), videos.size(0)), videos.size(0)).to(videos.device());
        }
        throw new RewardServiceException("HttpReward POST " + options.url() + ": gave up after " + options.maxAttempts() + " attempt"
                + (options.maxAttempts() == 1 ? "" : "s") + "; last error: " + last);
    }

    private String where(int attempt) {
        return "HttpReward POST " + options.url() + " (attempt " + attempt + " of " + options.maxAttempts() + ")";
    }

    private void pause(int attempt, String last) {
        long millis = Math.round(options.backoff().toMillis() * Math.pow(options.backoffMultiplier(), attempt - 2));
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RewardServiceException("HttpReward POST " + options.url() + ": interrupted before retrying; last error: " + last, e);
        }
    }

    private byte[] requestBody(Tensor videos, List<String> prompts) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode ps = root.putArray("prompts");
        prompts.forEach(ps::add);
        root.put("layout", options.layout().wire());
        Base64.Encoder b64 = Base64.getEncoder();
        try (var noGrad = GradMode.noGrad()) {
            Tensor f32 = videos.to(DType.F32);
            if (options.layout() == Layout.BATCH) {
                root.put("videos", b64.encodeToString(Npy.toBytes(f32)));
            } else {
                ArrayNode vs = root.putArray("videos");
                for (int i = 0; i < f32.size(0); i++) vs.add(b64.encodeToString(Npy.toBytes(f32.select(0, i))));
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new RewardServiceException("HttpReward POST " + options.url() + ": could not write the request JSON", e);
        }
    }

    private static float[] parse(String where, String body, int expected) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RewardServiceException(where + ": the answer is not JSON (" + e.getOriginalMessage() + "), body: " + snippet(body), e);
        }
        JsonNode rewards = root == null ? null : root.get("rewards");
        if (rewards == null || !rewards.isArray()) {
            throw new RewardServiceException(where + ": the answer has no \"rewards\" array, body: " + snippet(body));
        }
        if (rewards.size() != expected) {
            throw new RewardServiceException(where + ": sent " + expected + " videos but got " + rewards.size() + " rewards, body: " + snippet(body));
        }
        float[] out = new float[expected];
        for (int i = 0; i < expected; i++) {
            JsonNode r = rewards.get(i);
            if (!r.isNumber() || !Double.isFinite(r.doubleValue())) {
                throw new RewardServiceException(where + ": reward " + i + " is " + r + ", not a finite number, body: " + snippet(body));
            }
            out[i] = (float) r.doubleValue();
        }
        return out;
    }

    private static String snippet(String body) {
        if (body == null || body.isEmpty()) return "(empty)";
        String flat = body.replaceAll("\\s+", " ").strip();
        return flat.length() <= SNIPPET ? "'" + flat + "'" : String.format(Locale.ROOT, "'%s...' (%d chars)", flat.substring(0, SNIPPET), flat.length());
    }

    @Override
    public void close() {
        client.close();
    }
}
