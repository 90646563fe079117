package org.ddrl.kernels.cuda.nvrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The headers a kernel source includes with quotes, read from the class path next to it. NVRTC has no file
 * system view of the jar, so every {@code #include "x.cuh"} (and what those include in turn) is handed to it
 * by name. Angle-bracket includes are left to NVRTC's built-in headers and its include path.
 */
final class ClassPathHeaders {
    private static final Pattern QUOTED_INCLUDE = Pattern.compile("^\\s*#\\s*include\\s*\"([^\"]+)\"", Pattern.MULTILINE);

    private ClassPathHeaders() {
    }

    /**
     * @param source   the text of the file at {@code folder}
     * @param folder   the class path folder of that file, e.g. "cuda"
     * @return include name as written to header text; names whose file is not on the class path are left out,
     *         so NVRTC reports them
     */
    static Map<String, String> collect(String source, String folder, ClassLoader loader) {
        Map<String, String> headers = new LinkedHashMap<>();
        Deque<String[]> pending = new ArrayDeque<>();
        queue(source, folder, pending);
        while (!pending.isEmpty()) {
            String[] next = pending.pop();
            String name = next[0];
            String path = normalize(next[1] + "/" + name);
            if (headers.containsKey(name)) continue;
            String text = read(loader, path);
            if (text == null) continue;
            headers.put(name, text);
            int slash = path.lastIndexOf('/');
            queue(text, slash < 0 ? "" : path.substring(0, slash), pending);
        }
        return headers;
    }

    private static void queue(String text, String folder, Deque<String[]> pending) {
        Matcher m = QUOTED_INCLUDE.matcher(text);
        while (m.find()) pending.add(new String[] {m.group(1), folder});
    }

    /** Resolves "." and ".." in a resource path. */
    static String normalize(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    private static String read(ClassLoader loader, String path) {
        try (InputStream in = loader.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("kernel header " + path + " could not be read", e);
        }
    }
}
