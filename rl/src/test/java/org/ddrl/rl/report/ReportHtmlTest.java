package org.ddrl.rl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportHtmlTest {
    @TempDir
    Path dir;

    private Document writeAndParse() throws Exception {
        Path html = Report.write(dir, FakeResults.result(), FakeResults.grid());
        assertEquals(dir.resolve("report.html"), html);
        // Well-formed XML as well as HTML: any unescaped text or unclosed element fails here.
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        return f.newDocumentBuilder().parse(html.toFile());
    }

    @Test
    void showsTheTableCurvesGridsWallTimesAndConfig() throws Exception {
        Document doc = writeAndParse();
        assertEquals("Fake experiment <tiny>", doc.getElementsByTagName("title").item(0).getTextContent());

        Element table = (Element) doc.getElementsByTagName("table").item(0);
        NodeList rows = table.getElementsByTagName("tbody").item(0).getChildNodes();
        List<Element> bodyRows = elements(rows, "tr");
        assertEquals(2, bodyRows.size());
        List<Element> ddrlCells = elements(bodyRows.get(0).getChildNodes(), "td");
        assertEquals(8, ddrlCells.size());
        // proxy_reward of ddrl: 0.505 +- t(0.975, 1) * sd / sqrt(2) = 12.706 * 0.005.
        assertEquals("0.505 ± 0.06353 n=2", ddrlCells.get(0).getTextContent());
        assertEquals("n/a n=0", ddrlCells.get(6).getTextContent(), "reverse_kl was not measured for ddrl");
        assertEquals("best", ddrlCells.get(2).getAttribute("class"), "ddrl has the lower fvd_mini");
        assertTrue(ddrlCells.get(0).getAttribute("title").contains("per seed: 0.5, 0.51"));

        String text = doc.getDocumentElement().getTextContent();
        assertTrue(text.contains("a red"), "the prompts of the grid are listed");
        assertTrue(text.contains("\"note\" : \"<fake> & \\\"quoted\\\"\""), "the config, escaped in the markup, reads back as written");
        assertTrue(text.contains("121"), "the total wall time of ddrl");

        List<String> sources = new ArrayList<>();
        NodeList imgs = doc.getElementsByTagName("img");
        for (int i = 0; i < imgs.getLength(); i++) {
            Element img = (Element) imgs.item(i);
            String src = img.getAttribute("src");
            sources.add(src);
            assertFalse(src.contains(":") || src.startsWith("/"), "relative path only: " + src);
            BufferedImage image = ImageIO.read(dir.resolve(src).toFile());
            assertEquals(Integer.parseInt(img.getAttribute("width")), image.getWidth(), src);
            assertEquals(Integer.parseInt(img.getAttribute("height")), image.getHeight(), src);
            assertFalse(img.getAttribute("alt").isEmpty(), src);
        }
        // Curves only for the metrics measured during training; one GIF per arm, file names made safe.
        assertEquals(List.of("charts/proxy_reward.png", "charts/fvd_mini.png", "gifs/ddrl.gif", "gifs/dance_grpo.gif"), sources);
        assertEquals(8, gifFrames(dir.resolve("gifs/ddrl.gif")), "one GIF frame per video frame");

        NodeList links = doc.getElementsByTagName("a");
        assertEquals(1, links.getLength());
        assertEquals("results.json", ((Element) links.item(0)).getAttribute("href"));
        assertTrue(Files.isRegularFile(dir.resolve("results.json")));
        for (String tag : new String[] {"script", "link", "iframe", "object", "embed"}) {
            assertEquals(0, doc.getElementsByTagName(tag).getLength(), "no <" + tag + ">: the page loads nothing else");
        }
    }

    @Test
    void loadsInHeadlessChromiumWithNoErrorsAndEveryImageShown() throws Exception {
        Chromium chromium = Chromium.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(chromium != null, Chromium.MISSING);
        writeAndParse();
        Chromium.PageCheck check = chromium.check(dir.resolve("report.html"), dir.resolve("chromium-profile"));
        assertEquals(List.of(), check.errors(), "errors while loading report.html; browser log:\n" + check.log());
        assertEquals(List.of(), check.brokenImages(), "images that did not load; browser log:\n" + check.log());
        assertEquals(4, check.images(), "two charts and two GIF grids");

        // The check must be able to fail: a page with a missing image and a script error is caught.
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><head><title>bad</title></head><body><img src=\"charts/missing.png\" alt=\"x\" />"
                + "<script>undefinedFunction();</script></body></html>");
        Chromium.PageCheck caught = chromium.check(bad, dir.resolve("chromium-profile-2"));
        assertEquals(List.of("charts/missing.png"), caught.brokenImages(), caught.log());
        assertEquals(2, caught.errors().size(), "the failed load and the script error: " + caught.errors());
    }

    private static List<Element> elements(NodeList nodes, String tag) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(tag)) out.add(e);
        }
        return out;
    }

    private static int gifFrames(Path gif) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            return reader.getNumImages(true);
        }
    }
}
