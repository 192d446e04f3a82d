package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report is self-contained (no external resources), has one plot per data section, and renders
 * in headless Chromium with the plots visible (skipped with a message when Chromium is not
 * installed: {@code sudo apt-get install chromium}).
 */
class ReportRenderTest {
  @TempDir Path tmp;

  @Test
  void htmlIsSelfContainedWithAllPlots() throws IOException {
    JsonObject r = sampleReport(new Random(3));
    Path html = Report.write(r, tmp);
    String s = Files.readString(html);
    assertEquals(6, Report.plotCount(r));
    assertEquals(6, count(s, "<img class=\"plot\""), "one <img> per plot");
    assertEquals(6, count(s, "src=\"data:image/png;base64,"));
    assertFalse(s.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resources");
    assertTrue(s.contains("id=\"headline\"") && s.contains("id=\"bench\""));
    assertTrue(s.contains("int8/float size 0.26"), "size ratio line");
    assertEquals(r, JsonParser.parseString(Files.readString(tmp.resolve("report.json"))));
  }

  @Test
  void missingSectionsSkipPlotsInsteadOfFailing() throws IOException {
    JsonObject r = new JsonObject();
    r.addProperty("mode", "quick");
    String s = Report.html(r);
    assertEquals(0, Report.plotCount(r));
    assertTrue(s.contains("No plot data"));
  }

  @Test
  void headlineTextAlignsColumns() {
    String t = Report.headlineText(sampleReport(new Random(1)));
    String[] lines = t.split("\n");
    assertEquals(4, lines.length, t);
    assertTrue(lines[0].startsWith("model"), t);
    assertTrue(lines[2].contains("%") && lines[2].contains("KiB") && lines[2].contains("ms"), t);
  }

  @Test
  void rendersInHeadlessChromium() throws Exception {
    Path chromium = findChromium();
    assumeTrue(
        chromium != null,
        "chromium not installed (sudo apt-get install chromium); skipping the render check");
    Path html = Report.write(sampleReport(new Random(5)), tmp);
    Path png = tmp.resolve("shot.png");
    Process p =
        new ProcessBuilder(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--hide-scrollbars",
                "--window-size=1500,2600",
                "--screenshot=" + png,
                html.toUri().toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("chromium.log").toFile())
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    assertTrue(Files.size(png) > 0, Files.readString(tmp.resolve("chromium.log")));
    String keep = System.getProperty("qat4j.keepScreenshot");
    if (keep != null)
      Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    BufferedImage img = ImageIO.read(png.toFile());
    PixelStats st = PixelStats.of(img);
    // Text alone leaves the page > 97 % white; six 720×400 plots fill a large part of it with axes,
    // lines and bars.
    assertTrue(st.nonWhiteFraction > 0.03, "page looks blank: " + st);
    assertTrue(st.coloured > 20_000, "no coloured plot pixels: " + st);
  }

  private static Path findChromium() {
    for (String c :
        new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
      if (Files.isExecutable(Path.of(c))) return Path.of(c);
    }
    return null;
  }

  record PixelStats(double nonWhiteFraction, long coloured) {
    static PixelStats of(BufferedImage img) {
      long nonWhite = 0;
      long coloured = 0;
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          int rgb = img.getRGB(x, y);
          int r = (rgb >> 16) & 255;
          int g = (rgb >> 8) & 255;
          int b = rgb & 255;
          if (r < 245 || g < 245 || b < 245) nonWhite++;
          if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) coloured++;
        }
      }
      return new PixelStats(
          nonWhite / (double) ((long) img.getWidth() * img.getHeight()), coloured);
    }
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
    return n;
  }

  /**
   * A report document shaped like the demo's, with generated values (input for the renderer only).
   */
  static JsonObject sampleReport(Random rnd) {
    JsonObject r = new JsonObject();
    r.addProperty("mode", "quick");
    r.addProperty("data", "/usr/share/datasets/fashion-mnist");
    r.add("train", Json.object("curve", curve(rnd, 40, 2.3, 0.4)));
    r.add("qat", Json.object("curve", curve(rnd, 20, 0.5, 0.35)));
    r.add(
        "accuracy",
        Json.object("float", 0.88 + rnd.nextDouble() * 0.01, "PTQ int8", 0.86, "QAT int8", 0.875));
    r.add("sizes", Json.object("float", 420_000, "PTQ int8", 110_000, "QAT int8", 110_500));
    JsonArray bench = new JsonArray();
    for (String v : new String[] {"float", "int8"}) {
      for (String b : new String[] {"builtin", "xnnpack"}) {
        double[] s = new double[60];
        for (int i = 0; i < s.length; i++)
          s[i] = (v.equals("float") ? 0.4 : 0.2) + 0.05 * rnd.nextGaussian() * 0.3;
        bench.add(
            Json.object(
                "variant",
                v,
                "backend",
                b,
                "threads",
                1,
                "samples_ms",
                Json.array(s),
                "steady",
                BenchJson.stats(s)));
      }
    }
    r.add("bench", bench);
    JsonArray sq = new JsonArray();
    for (String l : new String[] {"conv1", "pool1", "conv2", "pool2", "dense1", "logits"})
      sq.add(Json.object("name", l, "sqnr_db", 25 + 10 * rnd.nextDouble()));
    r.add(
        "verify", Json.object("per_layer_sqnr", sq, "top1_agreement", 0.99, "max_lsb_builtin", 0));
    JsonArray head = new JsonArray();
    head.add(
        Json.object(
            "model",
            "float",
            "accuracy",
            0.88,
            "bytes",
            420_000,
            "p50_builtin_ms",
            0.41,
            "p50_xnnpack_ms",
            0.2));
    head.add(
        Json.object(
            "model",
            "PTQ int8",
            "accuracy",
            0.86,
            "bytes",
            110_000,
            "p50_builtin_ms",
            0.2,
            "p50_xnnpack_ms",
            0.1));
    head.add(
        Json.object(
            "model",
            "QAT int8",
            "accuracy",
            0.875,
            "bytes",
            110_500,
            "p50_builtin_ms",
            0.2,
            "p50_xnnpack_ms",
            0.1));
    r.add("headline", head);
    return r;
  }

  private static JsonObject curve(Random rnd, int n, double start, double end) {
    double[] step = new double[n];
    double[] loss = new double[n];
    double[] acc = new double[n];
    for (int i = 0; i < n; i++) {
      step[i] = (i + 1) * 10;
      loss[i] = end + (start - end) * Math.exp(-i / 6.0) + 0.02 * rnd.nextGaussian();
      acc[i] = 0.9 - 0.8 * Math.exp(-i / 6.0);
    }
    return Json.object(
        "step", Json.array(step), "loss", Json.array(loss), "accuracy", Json.array(acc));
  }
}
