package org.ddrl.rl.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a page in headless Chromium and reports what went wrong: a probe script, put first in a copy of the page,
 * records every failed resource load, uncaught script error and console.error, and once the page has loaded, every
 * image that is not complete with a decoded width; Chromium's --dump-dom then prints the DOM with the probe's verdict.
 */
final class Chromium {
    static final String MISSING = "headless Chromium not found (looked for /usr/bin/chromium, then chromium and "
            + "chromium-browser on the PATH); install Debian's chromium package (.ci/run does where apt-get works) to run "
            + "the browser check of report.html";

    private static final String PROBE = """
            <script>
            window.__check = { errors: [] };
            window.addEventListener('error', function (e) {
              var t = e.target;
              if (t && t !== window && t.tagName) window.__check.errors.push('failed to load ' + (t.getAttribute('src') || t.getAttribute('href')));
              else window.__check.errors.push('script error: ' + e.message);
            }, true);
            (function () {
              var original = console.error;
              console.error = function () {
                window.__check.errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
                return original.apply(console, arguments);
              };
            })();
            window.addEventListener('load', function () {
              var broken = [];
              for (var i = 0; i < document.images.length; i++) {
                var img = document.images[i];
                if (!img.complete || img.naturalWidth === 0) broken.push(img.getAttribute('src'));
              }
              var out = document.createElement('pre');
              out.id = 'page-check';
              out.textContent = JSON.stringify({ errors: window.__check.errors, broken: broken, images: document.images.length });
              document.body.appendChild(out);
            });
            </script>
            """;
    private static final Pattern VERDICT = Pattern.compile("<pre id=\"page-check\">(.*?)</pre>", Pattern.DOTALL);

    /** What the probe saw: errors, the src of every image not shown, the number of images, and Chromium's own log. */
    record PageCheck(List<String> errors, List<String> brokenImages, int images, String log) {}

    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    /** The installed Chromium, or null. */
    static Chromium find() {
        Path debian = Path.of("/usr/bin/chromium");
        if (Files.isExecutable(debian)) return new Chromium(debian);
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String name : new String[] {"chromium", "chromium-browser"}) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) return new Chromium(p);
            }
        }
        return null;
    }

    /** Loads a copy of {@code page} (with the probe) from its own folder, so its relative paths resolve as the page's do. */
    PageCheck check(Path page, Path profile) throws IOException, InterruptedException {
        String html = Files.readString(page);
        int head = html.indexOf("<head>");
        String probed = head < 0 ? PROBE + html : html.substring(0, head + 6) + PROBE + html.substring(head + 6);
        Path copy = page.resolveSibling("probe-" + page.getFileName());
        Files.writeString(copy, probed);
        Files.createDirectories(profile);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out"), err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.toAbsolutePath(),
                "--enable-logging=stderr", "--v=0", "--dump-dom", copy.toAbsolutePath().toUri().toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("Chromium did not finish loading " + page + " within 120 s; log:\n" + Files.readString(err));
        }
        String dom = Files.readString(out), log = Files.readString(err);
        Matcher m = VERDICT.matcher(dom);
        if (!m.find()) {
            throw new AssertionError("Chromium (exit " + p.exitValue() + ") printed no verdict for " + page + "; DOM:\n" + dom + "\nlog:\n" + log);
        }
        JsonNode v = new ObjectMapper().readTree(unescape(m.group(1)));
        return new PageCheck(strings(v.get("errors")), strings(v.get("broken")), v.get("images").asInt(), log);
    }

    /** The text of a serialized text node: only &amp;, &lt;, &gt; (and &nbsp;) are escaped there. */
    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
