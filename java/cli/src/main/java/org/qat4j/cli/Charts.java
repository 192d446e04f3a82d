package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * XChart plots of a demo report (see {@link Report}), each returned as a base64 PNG so the HTML
 * opens offline. A plot whose data is missing from the report is skipped (null).
 */
final class Charts {
  static final int W = 720;
  static final int H = 400;

  private Charts() {}

  /** Training loss (running mean) per step: float, then QAT continuing from the float steps. */
  static XYChart trainingCurves(JsonObject report, String field, String yTitle) {
    JsonObject f = curve(report, "train");
    JsonObject q = curve(report, "qat");
    if (f == null && q == null) return null;
    XYChart c =
        new XYChartBuilder()
            .width(W)
            .height(H)
            .title("Training " + yTitle + ": float vs QAT")
            .xAxisTitle("optimizer step")
            .yAxisTitle(yTitle)
            .build();
    style(c.getStyler());
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    double offset = 0;
    if (f != null && f.has(field)) {
      double[] x = doubles(f.getAsJsonArray("step"));
      c.addSeries("float", x, doubles(f.getAsJsonArray(field))).setMarker(SeriesMarkers.NONE);
      if (x.length > 0) offset = x[x.length - 1];
    }
    if (q != null && q.has(field)) {
      double[] x = doubles(q.getAsJsonArray("step"));
      for (int i = 0; i < x.length; i++) x[i] += offset;
      c.addSeries("QAT (fake-quant int8)", x, doubles(q.getAsJsonArray(field)))
          .setMarker(SeriesMarkers.NONE);
    }
    return c.getSeriesMap().isEmpty() ? null : c;
  }

  private static JsonObject curve(JsonObject report, String stage) {
    JsonObject s = obj(report, stage);
    return s == null ? null : obj(s, "curve");
  }

  /** Test accuracy (%) of the float model and the two int8 models, all run in TFLite. */
  static CategoryChart accuracyBars(JsonObject report) {
    JsonObject acc = obj(report, "accuracy");
    if (acc == null || acc.size() == 0) return null;
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : acc.entrySet()) {
      if (!e.getValue().isJsonPrimitive()) continue;
      names.add(e.getKey());
      values.add(Math.round(10000 * e.getValue().getAsDouble()) / 100.0);
    }
    if (names.isEmpty()) return null;
    CategoryChart c =
        new CategoryChartBuilder()
            .width(W)
            .height(H)
            .title("Fashion-MNIST test accuracy")
            .xAxisTitle("model")
            .yAxisTitle("top-1 accuracy (%)")
            .build();
    style(c.getStyler());
    c.getStyler().setLegendVisible(false);
    c.getStyler().setLabelsVisible(true);
    double lo = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    c.getStyler().setYAxisMin(Math.max(0, Math.floor(lo / 5) * 5 - 5));
    c.getStyler().setYAxisMax(100.0);
    c.addSeries("accuracy", names, values);
    return c;
  }

  /** Steady-state latency distribution per (model, backend) as box plots. */
  static BoxChart latency(JsonObject report) {
    JsonArray bench =
        report.has("bench") && report.get("bench").isJsonArray()
            ? report.getAsJsonArray("bench")
            : null;
    if (bench == null || bench.isEmpty()) return null;
    BoxChart c =
        new BoxChartBuilder()
            .width(W)
            .height(H)
            .title("Latency per inference, steady state (batch 1)")
            .yAxisTitle("ms")
            .build();
    style(c.getStyler());
    for (JsonElement e : bench) {
      JsonObject b = e.getAsJsonObject();
      if (!b.has("samples_ms")) continue;
      double[] s = doubles(b.getAsJsonArray("samples_ms"));
      if (s.length < 2) continue;
      // Scheduler spikes on a shared machine would flatten the boxes: plot samples up to p99.
      double[] sorted = s.clone();
      java.util.Arrays.sort(sorted);
      double p99 = BenchJson.pct(sorted, 99);
      double[] kept = java.util.Arrays.stream(s).filter(v -> v <= p99).toArray();
      c.addSeries(
          b.get("variant").getAsString()
              + " "
              + b.get("backend").getAsString()
              + " "
              + b.get("threads").getAsInt()
              + "t",
          kept);
    }
    if (c.getSeriesMap().isEmpty()) return null;
    c.setTitle(
        "Latency per inference, steady state, batch 1 (log scale; samples above p99 omitted)");
    c.getStyler().setYAxisLogarithmic(true);
    return c;
  }

  /** .tflite file sizes in KiB. */
  static CategoryChart sizes(JsonObject report) {
    JsonObject sizes = obj(report, "sizes");
    if (sizes == null || sizes.size() == 0) return null;
    Map<String, Double> kb = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : sizes.entrySet())
      kb.put(e.getKey(), Math.round(10 * e.getValue().getAsDouble() / 1024.0) / 10.0);
    CategoryChart c =
        new CategoryChartBuilder()
            .width(W)
            .height(H)
            .title("Model size (.tflite)")
            .xAxisTitle("model")
            .yAxisTitle("KiB")
            .build();
    style(c.getStyler());
    c.getStyler().setLegendVisible(false);
    c.getStyler().setLabelsVisible(true);
    c.addSeries("size", new ArrayList<>(kb.keySet()), new ArrayList<>(kb.values()));
    return c;
  }

  /** Per-layer SQNR (dB) of the int8 model vs the float model, when verify reported it. */
  static CategoryChart sqnr(JsonObject report) {
    JsonObject v = obj(report, "verify");
    if (v == null || !v.has("per_layer_sqnr") || !v.get("per_layer_sqnr").isJsonArray())
      return null;
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (JsonElement e : v.getAsJsonArray("per_layer_sqnr")) {
      JsonObject o = e.getAsJsonObject();
      if (o.get("sqnr_db").isJsonNull()) continue;
      names.add(o.get("name").getAsString());
      values.add(Math.round(10 * Math.min(o.get("sqnr_db").getAsDouble(), 99.0)) / 10.0);
    }
    if (names.isEmpty()) return null;
    CategoryChart c =
        new CategoryChartBuilder()
            .width(W)
            .height(H)
            .title("Per-layer SQNR, int8 vs float")
            .xAxisTitle("layer output")
            .yAxisTitle("SQNR (dB)")
            .build();
    style(c.getStyler());
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisLabelRotation(45);
    c.addSeries("sqnr", names, values);
    return c;
  }

  static String png64(Chart<?, ?> chart) throws IOException {
    return Base64.getEncoder()
        .encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(java.awt.Color.WHITE);
    s.setAntiAlias(true);
  }

  static JsonObject obj(JsonObject o, String key) {
    return o != null && o.has(key) && o.get(key).isJsonObject() ? o.getAsJsonObject(key) : null;
  }

  static double[] doubles(JsonArray a) {
    double[] d = new double[a.size()];
    for (int i = 0; i < d.length; i++)
      d[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
    return d;
  }
}
