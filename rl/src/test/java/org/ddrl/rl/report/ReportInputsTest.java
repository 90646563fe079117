package org.ddrl.rl.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ddrl.rl.judge.Metric;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportInputsTest {
    @TempDir
    Path dir;

    @Test
    void curvesAverageTheSeedsThatMeasuredEachStep() {
        ArmResult dance = FakeResults.result().arm("dance grpo");
        double[][] fvd = dance.meanCurve(Metric.FVD_MINI);
        assertArrayEquals(new double[] {0, 20}, fvd[0], "step 10 measured no FVD-mini");
        assertArrayEquals(new double[] {1, 3.2}, fvd[1], 1e-12);
        double[][] reward = dance.meanCurve(Metric.PROXY_REWARD);
        assertArrayEquals(new double[] {0.405, 0.505, 0.605}, reward[1], 1e-12);
        assertEquals(0, dance.meanCurve(Metric.DIVERSITY)[0].length);
    }

    @Test
    void armFileNamesAreSafeAndUnique() {
        Set<String> used = new HashSet<>();
        assertEquals("ddrl_real_data", ReportHtml.fileName("DDRL (real data)", used));
        assertEquals("ddrl_real_data-2", ReportHtml.fileName("ddrl real data", used));
        assertEquals("arm", ReportHtml.fileName("../", used));
        assertEquals("arm-2", ReportHtml.fileName("???", used));
    }

    @Test
    void aReportWithoutSamplesSaysSo() throws Exception {
        Report.write(dir, FakeResults.result(), null);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<p>No samples were given.</p>"));
        assertTrue(Files.isRegularFile(dir.resolve("charts/proxy_reward.png")));
    }

    @Test
    void inconsistentInputsAreRefusedWithTheReason() {
        ExperimentResult r = FakeResults.result();
        assertEquals("ExperimentResult: reference arm 'flow' is not among the arms [ddrl, dance grpo]",
                assertThrows(IllegalArgumentException.class, () -> new ExperimentResult("t", Map.of(), "flow", r.arms())).getMessage());
        assertEquals("ExperimentResult: arm 'ddrl' appears twice", assertThrows(IllegalArgumentException.class,
                () -> new ExperimentResult("t", Map.of(), "ddrl", List.of(r.arms().get(0), r.arms().get(0)))).getMessage());
        assertEquals("ArmResult: arm 'x' has no runs",
                assertThrows(IllegalArgumentException.class, () -> new ArmResult("x", Map.of(), List.of())).getMessage());
        Map<String, Tensor> videos = new LinkedHashMap<>();
        videos.put("a", Tensor.zeros(4, 3, 8, 16, 16));
        videos.put("b", Tensor.zeros(3, 3, 8, 16, 16));
        assertEquals("SampleGrid: arm 'b' has videos [3, 3, 8, 16, 16]; expected [4, 3, frames, height, width] like the others' "
                + "[4, 3, 8, 16, 16]", assertThrows(IllegalArgumentException.class,
                () -> new SampleGrid(List.of("a", "b", "c", "d"), new long[] {1, 2, 3, 4}, videos)).getMessage());
    }
}
