package org.ddrl.rl.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddrl.rl.judge.Metric;
import org.ddrl.tensor.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * One PNG chart per metric over training steps (XChart), one line per arm, each point the mean over the seeds that
 * measured the metric at that step. Metrics no arm measured during training get no chart.
 */
final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;

    /** A chart written for a metric, by its file name relative to the report folder. */
    record Chart(Metric metric, String file) {}

    private Charts() {}

    /** Writes charts/METRIC.png under {@code dir} (atomically) and returns them in metric order. */
    static List<Chart> write(Path dir, ExperimentResult result) throws IOException {
        List<Chart> out = new ArrayList<>();
        for (Metric m : Metric.values()) {
            XYChart chart = chart(m, result);
            if (chart == null) continue;
            String file = "charts/" + m.key() + ".png";
            AtomicFiles.write(dir.resolve(file), BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
            out.add(new Chart(m, file));
        }
        return out;
    }

    /** The chart of one metric, or null when no arm has a point of it. */
    private static XYChart chart(Metric metric, ExperimentResult result) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(metric.key())
                .xAxisTitle("training step").yAxisTitle(metric.key()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        boolean any = false;
        for (ArmResult arm : result.arms()) {
            double[][] curve = arm.meanCurve(metric);
            if (curve[0].length == 0) continue;
            chart.addSeries(arm.arm(), curve[0], curve[1]);
            any = true;
        }
        return any ? chart : null;
    }
}
