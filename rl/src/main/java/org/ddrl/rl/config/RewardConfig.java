package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ddrl.rl.reward.AttributeClassifier;
import org.ddrl.rl.reward.AttributeClassifierReward;
import org.ddrl.rl.reward.HttpReward;
import org.ddrl.rl.reward.JpegCompressibility;
import org.ddrl.rl.reward.Reward;
import org.ddrl.rl.reward.Vividness;
import org.ddrl.rl.reward.WeightedSum;

/**
 * The training reward: the weighted sum of its terms (the experiment: text alignment plus vividness). A term left
 * without some fields takes its type's defaults.
 *
 * @param terms at least one term; each has a {@code type} and a {@code weight}
 */
public record RewardConfig(List<Term> terms) {
    public static final RewardConfig DEFAULT = new RewardConfig(List.of(Term.VividnessTerm.DEFAULT));

    public RewardConfig {
        if (terms == null || terms.isEmpty()) Checks.fail("terms", "must list at least one reward term");
        terms = List.copyOf(terms);
    }

    /** The reward; relative file paths are resolved against {@code baseDir} (the config file's directory). */
    public Reward build(Path baseDir) {
        List<WeightedSum.Term> out = new ArrayList<>();
        for (Term t : terms) out.add(new WeightedSum.Term(t.weight(), t.build(baseDir)));
        return new WeightedSum(out);
    }

    /** One weighted reward. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Term.VividnessTerm.class, name = "vividness"),
            @JsonSubTypes.Type(value = Term.AttributeClassifierTerm.class, name = "attribute_classifier"),
            @JsonSubTypes.Type(value = Term.JpegCompressibilityTerm.class, name = "jpeg_compressibility"),
            @JsonSubTypes.Type(value = Term.HttpTerm.class, name = "http")})
    public sealed interface Term {
        /** The term's weight in the sum. */
        double weight();

        /** The reward this term describes. */
        Reward build(Path baseDir);

        /**
         * {@link org.ddrl.rl.reward.Vividness}: mean saturation and contrast.
         *
         * @param weight           weight in the sum (1)
         * @param saturationWeight weight of the mean HSV saturation inside the term (1)
         * @param contrastWeight   weight of the mean luma std inside the term (1)
         */
        record VividnessTerm(double weight, double saturationWeight, double contrastWeight) implements Term {
            public static final VividnessTerm DEFAULT = new VividnessTerm(1, 1, 1);

            public VividnessTerm {
                Checks.finite("weight", weight);
                Checks.finite("saturation_weight", saturationWeight);
                Checks.finite("contrast_weight", contrastWeight);
            }

            @Override
            public Reward build(Path baseDir) {
                return new Vividness(saturationWeight, contrastWeight);
            }
        }

        /**
         * {@link AttributeClassifierReward}: log-probability of the prompt's attributes under a trained classifier.
         *
         * @param weight weight in the sum (1)
         * @param path   the classifier's safetensors file (written by AttributeClassifier.saveTo); required
         */
        record AttributeClassifierTerm(double weight, String path) implements Term {
            public AttributeClassifierTerm {
                Checks.finite("weight", weight);
                if (path == null || path.isBlank()) Checks.fail("path", "is required: the trained classifier's file");
            }

            @Override
            public Reward build(Path baseDir) {
                Path p = baseDir == null ? Path.of(path) : baseDir.resolve(path);
                try {
                    return new AttributeClassifierReward(AttributeClassifier.read(p));
                } catch (IOException e) {
                    throw new UncheckedIOException("reward term attribute_classifier: cannot read the classifier " + p + ": " + e.getMessage(), e);
                }
            }
        }

        /**
         * {@link JpegCompressibility}: minus the JPEG size of each frame in kB.
         *
         * @param weight  weight in the sum (1; Flow-GRPO's variant is 1/500, DDPO's incompressibility -1)
         * @param quality JPEG quality (95)
         */
        record JpegCompressibilityTerm(double weight, int quality) implements Term {
            public static final JpegCompressibilityTerm DEFAULT = new JpegCompressibilityTerm(1, 95);

            public JpegCompressibilityTerm {
                Checks.finite("weight", weight);
                if (quality < 1 || quality > 100) Checks.fail("quality", "must be in [1, 100], got " + quality);
            }

            @Override
            public Reward build(Path baseDir) {
                return new JpegCompressibility(quality);
            }
        }

        /**
         * {@link HttpReward}: a reward computed by an external service.
         *
         * @param weight            weight in the sum (1)
         * @param name              the term's name in logs ("http")
         * @param url               where to POST; required
         * @param connectTimeoutS   seconds allowed to connect (10)
         * @param requestTimeoutS   seconds allowed for one whole request (120)
         * @param maxAttempts       attempts in all, retrying timeouts, connection failures and 5xx (3)
         * @param backoffS          seconds to wait before the first retry (1)
         * @param backoffMultiplier factor on the wait for each further retry (2)
         * @param layout            "per_video" (one base64 .npy per video) or "batch" (one .npy of the batch)
         */
        record HttpTerm(double weight, String name, String url, double connectTimeoutS, double requestTimeoutS, int maxAttempts, double backoffS,
                    double backoffMultiplier, HttpReward.Layout layout) implements Term {
            public HttpTerm {
                Checks.finite("weight", weight);
                if (name == null || name.isBlank()) Checks.fail("name", "must not be blank");
                if (url == null || url.isBlank()) Checks.fail("url", "is required");
                try {
                    URI u = new URI(url);
                    if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                        Checks.fail("url", "must be an absolute http(s) URL with a host, got '" + url + "'");
                    }
                } catch (URISyntaxException e) {
                    Checks.fail("url", "is not a URL: " + e.getMessage());
                }
                Checks.positive("connect_timeout_s", connectTimeoutS);
                Checks.positive("request_timeout_s", requestTimeoutS);
                Checks.positive("max_attempts", maxAttempts);
                Checks.atLeast("backoff_s", backoffS, 0);
                Checks.atLeast("backoff_multiplier", backoffMultiplier, 1);
                Checks.present("layout", layout);
            }

            @Override
            public Reward build(Path baseDir) {
                return new HttpReward(name, new HttpReward.Options(URI.create(url), seconds(connectTimeoutS), seconds(requestTimeoutS), maxAttempts,
                        seconds(backoffS), backoffMultiplier, layout));
            }

            private static Duration seconds(double s) {
                return Duration.ofNanos(Math.round(s * 1e9));
            }
        }
    }
}
