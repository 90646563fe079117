package org.ddrl.kernels.cuda.nvrtc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PtxCacheTest {
    private static final String SRC = "extern \"C\" __global__ void k() {}";
    private static final List<String> OPTS = List.of("--gpu-architecture=compute_90", "-default-device", "-std=c++17");

    @TempDir
    Path tmp;

    @Test
    void keyChangesWithEveryInputThatChangesThePtx() {
        String base = PtxCache.key(SRC, Map.of("a.cuh", "int a;"), OPTS, "13.0");
        assertEquals(64, base.length());
        assertEquals(base, PtxCache.key(SRC, Map.of("a.cuh", "int a;"), OPTS, "13.0"));
        assertNotEquals(base, PtxCache.key(SRC + " ", Map.of("a.cuh", "int a;"), OPTS, "13.0"), "source");
        assertNotEquals(base, PtxCache.key(SRC, Map.of("a.cuh", "int b;"), OPTS, "13.0"), "header text");
        assertNotEquals(base, PtxCache.key(SRC, Map.of("b.cuh", "int a;"), OPTS, "13.0"), "header name");
        assertNotEquals(base, PtxCache.key(SRC, Map.of(), OPTS, "13.0"), "header set");
        assertNotEquals(base, PtxCache.key(SRC, Map.of("a.cuh", "int a;"), List.of("--gpu-architecture=compute_80", "-default-device",
                "-std=c++17"), "13.0"), "options");
        assertNotEquals(base, PtxCache.key(SRC, Map.of("a.cuh", "int a;"), OPTS, "12.9"), "compiler version");
    }

    @Test
    void keyDoesNotDependOnHeaderOrderAndCannotBeFooledByMovingText() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a.cuh", "1");
        ab.put("b.cuh", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b.cuh", "2");
        ba.put("a.cuh", "1");
        assertEquals(PtxCache.key(SRC, ab, OPTS, "13.0"), PtxCache.key(SRC, ba, OPTS, "13.0"));
        assertNotEquals(PtxCache.key(SRC, Map.of(), List.of("-DA", "B"), "13.0"), PtxCache.key(SRC, Map.of(), List.of("-D", "AB"), "13.0"));
        assertNotEquals(PtxCache.key("ab", Map.of(), List.of(), "c"), PtxCache.key("a", Map.of(), List.of(), "bc"));
    }

    @Test
    void storesAndFindsPtxWithoutLeavingTemporaryFiles() throws IOException {
        PtxCache cache = new PtxCache(tmp.resolve("deep/ptx"));
        String key = PtxCache.key(SRC, Map.of(), OPTS, "13.0");
        assertEquals(Optional.empty(), cache.get("selftest", key));
        assertTrue(cache.put("selftest", key, ".version 9.0\n"));
        assertEquals(Optional.of(".version 9.0\n"), cache.get("selftest", key));
        assertTrue(cache.put("selftest", key, ".version 9.1\n"), "a second write replaces the entry");
        assertEquals(Optional.of(".version 9.1\n"), cache.get("selftest", key));
        try (Stream<Path> files = Files.list(cache.dir())) {
            assertEquals(List.of("selftest-" + key + ".ptx"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void moduleNamesAreMadeSafeForFileNames() {
        PtxCache cache = new PtxCache(tmp);
        assertEquals(tmp.resolve("a_b_c.d-k.ptx"), cache.file("a/b c.d", "k"));
    }

    @Test
    void anUnwritableFolderIsNotAnError() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("file"), "in the way");
        PtxCache cache = new PtxCache(blocker.resolve("ptx"));
        assertFalse(cache.put("m", "k", "ptx"));
        assertEquals(Optional.empty(), cache.get("m", "k"));
    }

    @Test
    void concurrentWritersLeaveOneCompleteEntry() throws Exception {
        PtxCache cache = new PtxCache(tmp);
        String a = "a".repeat(200_000);
        String b = "b".repeat(200_000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                Future<Boolean> fa = pool.submit(() -> cache.put("m", "k", a));
                Future<Boolean> fb = pool.submit(() -> cache.put("m", "k", b));
                assertTrue(fa.get() && fb.get());
                String got = cache.get("m", "k").orElseThrow();
                assertTrue(got.equals(a) || got.equals(b), "a torn entry of length " + got.length());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
