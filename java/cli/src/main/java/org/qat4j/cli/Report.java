package org.qat4j.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes a demo report as {@code report.json} and a self-contained {@code report.html} (plots
 * embedded as base64 PNG, no external resources). Input: the demo's JSON document with optional
 * sections train, qat, accuracy, sizes, bench, verify, edgetpu, headline, stages.
 */
final class Report {
  /** The document head with its style sheet. */
  private static final String HEAD =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          + "<title>qat4j demo report</title>\n<style>"
          + "body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#222;max-width:1500px}"
          + "table{border-collapse:collapse;margin:8px 0 16px}"
          + "td,th{border:1px solid #bbb;padding:4px 10px;text-align:right}"
          + "th{background:#eef}td:first-child,th:first-child{text-align:left}"
          + ".plots{display:flex;flex-wrap:wrap;gap:12px}"
          + "figure{margin:0}img.plot{border:1px solid #ddd;width:720px;height:400px}"
          + ".fail{color:#b00}.ok{color:#070}"
          + "pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px}</style></head><body>\n";

  static final String[] HEADLINE_COLUMNS = {
    "model", "accuracy", "bytes", "p50_builtin_ms", "p50_xnnpack_ms"
  };

  private Report() {}

  /** Writes both files into {@code dir}; returns the HTML path. */
  static Path write(JsonObject report, Path dir) throws IOException {
    Files.createDirectories(dir);
    Outputs.writeString(dir.resolve("report.json"), Json.GSON.toJson(report) + "\n");
    Path html = dir.resolve("report.html");
    Outputs.writeString(html, html(report));
    return html;
  }

  static String html(JsonObject r) throws IOException {
    StringBuilder b = new StringBuilder(1 << 16);
    b.append(HEAD);
    b.append("<h1>qat4j demo report</h1>\n<p>").append(esc(summaryLine(r))).append("</p>\n");
    String subset = subsetNote(r);
    if (subset != null)
      b.append("<p id=\"subset-note\"><strong>").append(esc(subset)).append("</strong></p>\n");
    b.append("<h2>Headline</h2>\n")
        .append(headlineHtml(r))
        .append("<p>")
        .append(esc(ratios(r)))
        .append("</p>\n");
    appendVerify(b, r);
    appendBench(b, r);
    appendPlots(b, r);
    appendEdgeTpu(b, r);
    appendStages(b, r);
    b.append("<h2>Raw results</h2>\n<details><summary>report.json</summary><pre>")
        .append(esc(Json.GSON.toJson(r)))
        .append("</pre></details>\n</body></html>\n");
    return b.toString();
  }

  /** Number of plots the HTML will contain (for tests and the terminal summary). */
  static int plotCount(JsonObject r) {
    int n = 0;
    for (Object c :
        new Object[] {
          Charts.trainingCurves(r, "loss", "loss"),
          Charts.trainingCurves(r, "accuracy", "accuracy"),
          Charts.accuracyBars(r),
          Charts.latency(r),
          Charts.sizes(r),
          Charts.sqnr(r)
        }) if (c != null) n++;
    return n;
  }

  private static void addPlot(List<String[]> plots, String id, Chart<?, ?> chart)
      throws IOException {
    if (chart != null) plots.add(new String[] {id, Charts.png64(chart)});
  }

  private static String summaryLine(JsonObject r) {
    StringBuilder s = new StringBuilder();
    if (r.has("mode")) s.append(r.get("mode").getAsString()).append(" run");
    if (r.has("data")) s.append(" on ").append(r.get("data").getAsString());
    if (r.has("tflite_version"))
      s.append(", TFLite ").append(r.get("tflite_version").getAsString());
    if (r.has("java")) s.append(", Java ").append(r.get("java").getAsString());
    if (r.has("cpus")) s.append(", ").append(r.get("cpus").getAsInt()).append(" CPUs");
    if (r.has("total_seconds"))
      s.append(
          String.format(Locale.ROOT, ", %.1f s in total", r.get("total_seconds").getAsDouble()));
    if (r.has("created")) s.append(", ").append(r.get("created").getAsString());
    return s.toString();
  }

  static String headlineHtml(JsonObject r) {
    if (!r.has("headline")) return "<p>No headline data.</p>\n";
    StringBuilder b =
        new StringBuilder(
                "<table id=\"headline\"><tr><th>model</th><th>test accuracy</th><th>size</th>")
            .append("<th>p50 BUILTIN</th><th>p50 XNNPACK</th></tr>\n");
    for (JsonElement e : r.getAsJsonArray("headline")) {
      String[] cells = headlineCells(e.getAsJsonObject());
      b.append("<tr>");
      for (String c : cells) b.append("<td>").append(esc(c)).append("</td>");
      b.append("</tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  /** Formatted cells of one headline row, shared by the HTML and the terminal table. */
  static String[] headlineCells(JsonObject row) {
    String[] c = new String[HEADLINE_COLUMNS.length];
    c[0] = str(row, "model");
    c[1] = num(row, "accuracy", v -> String.format(Locale.ROOT, "%.2f %%", 100 * v));
    c[2] = num(row, "bytes", v -> String.format(Locale.ROOT, "%.1f KiB", v / 1024));
    c[3] = num(row, "p50_builtin_ms", v -> String.format(Locale.ROOT, "%.3f ms", v));
    c[4] = num(row, "p50_xnnpack_ms", v -> String.format(Locale.ROOT, "%.3f ms", v));
    return c;
  }

  /** The headline as a fixed-width text table for the terminal. */
  /**
   * For a quick run: the subset its accuracies come from (so they are not read as full-data
   * figures); else null.
   */
  static String subsetNote(JsonObject r) {
    JsonObject p = Charts.obj(r, "plan");
    if (p == null || !r.has("mode") || !r.get("mode").getAsString().equals("quick")) return null;
    return String.format(
        Locale.ROOT,
        "Quick run: numbers come from a subset — float trained on %d images × %d epoch(s), QAT on %d images, "
            + "accuracies on the first %d test images. Run without --quick for full-data figures.",
        p.get("trainImages").getAsInt(),
        p.get("epochs").getAsInt(),
        p.get("qatImages").getAsInt(),
        p.get("testImages").getAsInt());
  }

  static String headlineText(JsonObject r) {
    if (!r.has("headline")) return "";
    String[] head = {"model", "test accuracy", "size", "p50 BUILTIN", "p50 XNNPACK"};
    List<String[]> rows = new ArrayList<>();
    rows.add(head);
    for (JsonElement e : r.getAsJsonArray("headline")) rows.add(headlineCells(e.getAsJsonObject()));
    int[] w = new int[head.length];
    for (String[] row : rows)
      for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], row[i].length());
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < w.length; i++) {
        String fmt = i == 0 ? "%-" + w[i] + "s" : "  %" + w[i] + "s";
        b.append(String.format(fmt, row[i]));
      }
      b.append('\n');
    }
    String subset = subsetNote(r);
    if (subset != null) b.append(subset).append('\n');
    return b.toString();
  }

  private static void appendVerify(StringBuilder b, JsonObject r) {
    JsonObject v = Charts.obj(r, "verify");
    if (v == null) return;
    b.append(
        "<h2>Verification (int8 .tflite in TFLite vs qat4j integer simulator)</h2>\n<table id=\"verify\">");
    for (String k :
        new String[] {
          "count",
          "bit_exact_fraction_builtin",
          "max_lsb_builtin",
          "bit_exact_fraction_xnnpack",
          "max_lsb_xnnpack",
          "top1_agreement",
          "accuracy_float",
          "accuracy_int8",
          "error"
        }) {
      if (v.has(k) && v.get(k).isJsonPrimitive())
        b.append("<tr><td>")
            .append(k)
            .append("</td><td>")
            .append(esc(v.get(k).getAsString()))
            .append("</td></tr>");
    }
    b.append("</table>\n");
  }

  /** "int8/float size 0.26; int8 speed-up 2.1× BUILTIN, 2.2× XNNPACK" from the headline rows. */
  static String ratios(JsonObject r) {
    if (!r.has("headline")) return "";
    JsonObject f = null;
    JsonObject q = null;
    for (JsonElement e : r.getAsJsonArray("headline")) {
      JsonObject o = e.getAsJsonObject();
      if (str(o, "model").equals("float")) f = o;
      if (str(o, "model").equals("QAT int8")) q = o;
    }
    if (f == null || q == null) return "";
    List<String> parts = new ArrayList<>();
    if (f.has("bytes") && q.has("bytes"))
      parts.add(
          String.format(
              Locale.ROOT,
              "int8/float size %.3f",
              q.get("bytes").getAsDouble() / f.get("bytes").getAsDouble()));
    for (String b : new String[] {"builtin", "xnnpack"}) {
      String k = "p50_" + b + "_ms";
      if (f.has(k) && q.has(k))
        parts.add(
            String.format(
                Locale.ROOT,
                "int8 speed-up %.2f× on %s",
                f.get(k).getAsDouble() / q.get(k).getAsDouble(),
                b.toUpperCase(Locale.ROOT)));
    }
    return String.join("; ", parts);
  }

  private static void appendPlots(StringBuilder b, JsonObject r) throws IOException {
    b.append("<h2>Plots</h2>\n<div class=\"plots\">\n");
    List<String[]> plots = new ArrayList<>();
    addPlot(plots, "training-loss", Charts.trainingCurves(r, "loss", "loss"));
    addPlot(plots, "training-accuracy", Charts.trainingCurves(r, "accuracy", "accuracy"));
    addPlot(plots, "accuracy", Charts.accuracyBars(r));
    addPlot(plots, "latency", Charts.latency(r));
    addPlot(plots, "sizes", Charts.sizes(r));
    addPlot(plots, "sqnr", Charts.sqnr(r));
    for (String[] p : plots) {
      b.append("<figure><img class=\"plot\" id=\"plot-")
          .append(p[0])
          .append("\" alt=\"")
          .append(p[0])
          .append("\" src=\"data:image/png;base64,")
          .append(p[1])
          .append("\"></figure>\n");
    }
    b.append("</div>\n");
    if (plots.isEmpty()) b.append("<p>No plot data in this report.</p>\n");
  }

  private static void appendBench(StringBuilder b, JsonObject r) {
    if (!r.has("bench") || !r.get("bench").isJsonArray() || r.getAsJsonArray("bench").isEmpty())
      return;
    b.append(
            "<h2>Latency (steady state, ms)</h2>\n<table id=\"bench\"><tr><th>model</th>"
                + "<th>backend</th><th>threads</th><th>runs</th>")
        .append(
            "<th>p50</th><th>p90</th><th>p99</th><th>avg</th><th>first</th><th>init</th>"
                + "<th>coverage</th></tr>\n");
    for (JsonElement e : r.getAsJsonArray("bench")) {
      JsonObject o = e.getAsJsonObject();
      JsonObject s = Charts.obj(o, "steady");
      if (s == null) continue;
      DoubleFunction<String> ms = v -> String.format(Locale.ROOT, "%.4f", v);
      b.append("<tr><td>")
          .append(esc(str(o, "variant")))
          .append("</td><td>")
          .append(esc(str(o, "backend")))
          .append("</td><td>")
          .append(str(o, "threads"))
          .append("</td><td>")
          .append(str(s, "count"))
          .append("</td><td>")
          .append(num(s, "p50_ms", ms))
          .append("</td><td>")
          .append(num(s, "p90_ms", ms))
          .append("</td><td>")
          .append(num(s, "p99_ms", ms))
          .append("</td><td>")
          .append(num(s, "avg_ms", ms))
          .append("</td><td>")
          .append(num(o, "first_ms", ms))
          .append("</td><td>")
          .append(num(o, "init_ms", v -> String.format(Locale.ROOT, "%.1f", v)))
          .append("</td><td>")
          .append(esc(str(o, "coverage")))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void appendEdgeTpu(StringBuilder b, JsonObject r) {
    JsonObject t = Charts.obj(r, "edgetpu");
    if (t == null) return;
    b.append("<h2>EdgeTPU pre-flight</h2>\n");
    if (t.has("total_ops")) {
      b.append("<p>")
          .append(t.get("edgetpu_ops").getAsInt())
          .append(" of ")
          .append(t.get("total_ops").getAsInt())
          .append(" operators map to the EdgeTPU; ")
          .append(t.get("cpu_ops").getAsInt())
          .append(" stay on the CPU.</p>\n");
      if (t.has("operators")) {
        b.append("<table><tr><th>#</th><th>op</th><th>status</th><th>reason</th></tr>\n");
        for (JsonElement e : t.getAsJsonArray("operators")) {
          JsonObject o = e.getAsJsonObject();
          b.append("<tr><td>")
              .append(o.get("index").getAsInt())
              .append("</td><td>")
              .append(esc(str(o, "op")))
              .append("</td><td>")
              .append(esc(str(o, "status")))
              .append("</td><td>")
              .append(esc(str(o, "reason")))
              .append("</td></tr>\n");
        }
        b.append("</table>\n");
      }
    } else {
      b.append("<p>").append(esc(str(t, "error"))).append("</p>\n");
    }
  }

  private static void appendStages(StringBuilder b, JsonObject r) {
    if (!r.has("stages")) return;
    b.append(
        "<h2>Stages</h2>\n<table id=\"stages\"><tr><th>stage</th><th>status</th><th>seconds</th><th>note</th></tr>\n");
    for (JsonElement e : r.getAsJsonArray("stages")) {
      JsonObject s = e.getAsJsonObject();
      String st = str(s, "status");
      b.append("<tr><td>")
          .append(esc(str(s, "name")))
          .append("</td><td class=\"")
          .append(st.equals("ok") ? "ok" : st.equals("failed") ? "fail" : "other")
          .append("\">")
          .append(esc(st))
          .append("</td><td>")
          .append(num(s, "seconds", v -> String.format(Locale.ROOT, "%.1f", v)))
          .append("</td><td>")
          .append(esc(str(s, "error")))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static String str(JsonObject o, String k) {
    return o.has(k) && o.get(k).isJsonPrimitive() ? o.get(k).getAsString() : "";
  }

  private static String num(JsonObject o, String k, DoubleFunction<String> f) {
    return o.has(k) && o.get(k).isJsonPrimitive() ? f.apply(o.get(k).getAsDouble()) : "–";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
