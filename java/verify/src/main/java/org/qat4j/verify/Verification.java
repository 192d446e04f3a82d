package org.qat4j.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.tflite.IndexInputs;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * Verifies an exported int8 {@code .tflite} against what produced it: TFLite (BUILTIN, XNNPACK) vs
 * the integer simulator on identical quantized inputs, the fake-quant model vs deployed int8,
 * accuracies, and per-layer SQNR of the simulated int8 activations vs the float activations. Images
 * are real-valued NHWC samples of the model's input shape; int8/uint8 inputs are quantized once
 * with the exported input params and fed to every executor; INT32 index inputs (an Embedding's
 * token ids) take whole numbers below the table's rows, refused otherwise naming the sample. The
 * caller keeps ownership of all arguments; the QAT model's fake-quant switches are restored before
 * returning.
 */
public final class Verification {
  private Verification() {}

  /**
   * Optional inputs: the float model (default: the QAT model with fake-quant off), a PTQ export to
   * score, and how many samples the per-layer SQNR uses.
   */
  public record Options(Model floatModel, byte[] ptqTflite, int sqnrSamples, boolean isolated) {
    public Options {
      if (sqnrSamples < 0)
        throw new IllegalArgumentException("sqnrSamples must be >= 0, got " + sqnrSamples);
    }

    public static Options defaults() {
      return new Options(null, null, 32, false);
    }

    public Options withFloatModel(Model m) {
      return new Options(m, ptqTflite, sqnrSamples, isolated);
    }

    public Options withPtqTflite(byte[] b) {
      return new Options(floatModel, b, sqnrSamples, isolated);
    }

    public Options withSqnrSamples(int n) {
      return new Options(floatModel, ptqTflite, n, isolated);
    }

    /**
     * TFLite runs in a child process ({@link Interpreter.Options.Builder#isolated}): a native crash
     * on an untrusted .tflite becomes a TfliteException instead of ending this JVM.
     */
    public Options withIsolation(boolean on) {
      return new Options(floatModel, ptqTflite, sqnrSamples, on);
    }
  }

  /**
   * SQNR in dB of one int8 activation (signal = float activation, noise = dequantized int8 −
   * float).
   */
  public record LayerSqnr(String tensor, double sqnrDb) {}

  /**
   * All figures. Fractions are in [0, 1]; LSB differences are in units of the compared output's
   * scale; accuracies are top-1 fractions; NaN where a figure does not apply (no PTQ export given,
   * no QAT model for the fake-quant figures).
   */
  public record Report(
      int samples,
      long outputElements,
      String outputType,
      double bitExactFractionBuiltin,
      long maxLsbBuiltin,
      double bitExactFractionXnnpack,
      long maxLsbXnnpack,
      double withinOneLsbFractionXnnpack,
      double bitExactFractionXnnpackF32Sim,
      long maxLsbXnnpackF32Sim,
      double top1Agreement,
      double maxDiffOutputScale,
      double meanDiffOutputScale,
      double top1AgreementFloat,
      double accuracyFloat,
      double accuracyFakeQuant,
      double accuracyInt8,
      double accuracyInt8Xnnpack,
      double accuracySimulator,
      double accuracyPtqInt8,
      List<LayerSqnr> perLayerSqnr,
      List<OutputReport> outputs) {
    public Report {
      perLayerSqnr = List.copyOf(perLayerSqnr);
      outputs = List.copyOf(outputs);
    }

    /** Flat map with the CLI's JSON field names (per_layer_sqnr is a list of {name, sqnr_db}). */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", samples);
      m.put("output_elements", outputElements);
      m.put("output_type", outputType);
      m.put("bit_exact_fraction_builtin", bitExactFractionBuiltin);
      m.put("max_lsb_builtin", maxLsbBuiltin);
      m.put("bit_exact_fraction_xnnpack", bitExactFractionXnnpack);
      m.put("max_lsb_xnnpack", maxLsbXnnpack);
      m.put("within_1_lsb_fraction_xnnpack", withinOneLsbFractionXnnpack);
      m.put("bit_exact_fraction_xnnpack_f32_simulator", bitExactFractionXnnpackF32Sim);
      m.put("max_lsb_xnnpack_f32_simulator", maxLsbXnnpackF32Sim);
      m.put("top1_agreement", top1Agreement);
      m.put("max_diff_output_scale", maxDiffOutputScale);
      m.put("mean_diff_output_scale", meanDiffOutputScale);
      m.put("top1_agreement_float", top1AgreementFloat);
      m.put("accuracy_float", accuracyFloat);
      m.put("accuracy_fake_quant", accuracyFakeQuant);
      m.put("accuracy_int8", accuracyInt8);
      m.put("accuracy_int8_xnnpack", accuracyInt8Xnnpack);
      m.put("accuracy_simulator", accuracySimulator);
      m.put("accuracy_ptq_int8", accuracyPtqInt8);
      m.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
      List<Map<String, Object>> l = new ArrayList<>();
      for (LayerSqnr s : perLayerSqnr) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", s.tensor());
        e.put("sqnr_db", Double.isFinite(s.sqnrDb()) ? s.sqnrDb() : null);
        l.add(e);
      }
      m.put("per_layer_sqnr", l);
      m.put("outputs", outputs.stream().map(OutputReport::toMap).toList());
      return m;
    }
  }

  /**
   * One output's figures (the {@link Report}'s scalar fields are output 0's, bit-exactness summed
   * over all outputs): elements, TFLite BUILTIN vs simulator, fake-quant vs int8 top-1 agreement
   * (NaN without a QAT model), accuracies (NaN without labels or a QAT model).
   */
  public record OutputReport(
      String name,
      long elements,
      double bitExactFractionBuiltin,
      long maxLsbBuiltin,
      double top1Agreement,
      double accuracyFloat,
      double accuracyFakeQuant,
      double accuracyInt8) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("output_elements", elements);
      m.put("bit_exact_fraction_builtin", bitExactFractionBuiltin);
      m.put("max_lsb_builtin", maxLsbBuiltin);
      m.put("top1_agreement", top1Agreement);
      m.put("accuracy_float", accuracyFloat);
      m.put("accuracy_fake_quant", accuracyFakeQuant);
      m.put("accuracy_int8", accuracyInt8);
      m.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
      return m;
    }
  }

  /** Verifies with default options on a core dataset. */
  public static Report verify(QatModel model, byte[] tflite, Dataset data) {
    return verify(model, tflite, data, Options.defaults());
  }

  /** Verifies on {@code labels.length} images stored back to back in {@code images} (NHWC). */
  public static Report verify(
      QatModel model, byte[] tflite, float[] images, int[] labels, Options options) {
    if (model == null) throw new IllegalArgumentException("model is null");
    if (images == null || labels == null)
      throw new IllegalArgumentException("images and labels must not be null");
    int[] shape = model.model().inputShape();
    int per = 1;
    for (int d : shape) per *= d;
    if (labels.length == 0 || images.length != (long) labels.length * per) {
      throw new IllegalArgumentException(
          images.length
              + " image values for "
              + labels.length
              + " labels; input "
              + java.util.Arrays.toString(shape)
              + " needs "
              + per
              + " per image and at least one image");
    }
    int classes = model.model().outputShape()[model.model().outputShape().length - 1];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes)
        throw new IllegalArgumentException(
            "label " + i + " = " + labels[i] + " outside [0, " + classes + ")");
    }
    return verify(model, tflite, new Dataset(images, labels, shape, classes), options);
  }

  /** Verifies {@code tflite} (the int8 export of {@code model}) on every sample of {@code data}. */
  public static Report verify(QatModel model, byte[] tflite, Dataset data, Options options) {
    if (model == null) throw new IllegalArgumentException("model is null");
    return run(model, model.model(), tflite, multi(data), options);
  }

  /**
   * Verifies {@code tflite} (the int8 export of {@code model}) on samples for every input of a
   * model with several inputs or outputs (labels, when given, per output).
   */
  public static Report verify(QatModel model, byte[] tflite, MultiDataset data, Options options) {
    if (model == null) throw new IllegalArgumentException("model is null");
    return run(model, model.model(), tflite, data, options);
  }

  /**
   * Verifies an int8 export of a float model when no QAT model exists (e.g. a PTQ export read
   * back): everything but the fake-quant figures, which are NaN.
   */
  public static Report verify(Model floatModel, byte[] tflite, Dataset data, Options options) {
    return verify(floatModel, tflite, multi(data), options);
  }

  /** {@link #verify(Model, byte[], Dataset, Options)} for several inputs or outputs. */
  public static Report verify(Model floatModel, byte[] tflite, MultiDataset data, Options options) {
    if (floatModel == null) throw new IllegalArgumentException("float model is null");
    if (options == null) throw new IllegalArgumentException("options must not be null");
    return run(
        null,
        floatModel,
        tflite,
        data,
        options.floatModel() == null ? options.withFloatModel(floatModel) : options);
  }

  private static MultiDataset multi(Dataset d) {
    if (d == null) throw new IllegalArgumentException("data must not be null");
    return MultiDataset.of(d);
  }

  private static Report run(
      QatModel model, Model shapes, byte[] tflite, MultiDataset data, Options options) {
    if (tflite == null || data == null || options == null)
      throw new IllegalArgumentException("tflite, data and options must not be null");
    if (data.size() == 0) throw new IllegalArgumentException("dataset is empty");
    TfliteModelInfo info = TfliteReader.read(tflite);
    LoweredGraph g = info.toLoweredGraph();
    Runs.checkShapes(g, shapes, data);
    int n = data.size();
    int[] limits = IndexInputs.limits(info.subgraph(0));
    Object[] inputs = Runs.inputs(g, limits, data);
    Object[] simD = new Simulator(g, RoundingMode.DOUBLE).runBatch(n, inputs);
    Object[] simX = new Simulator(g, RoundingMode.XNNPACK_F32).runBatch(n, inputs);
    Object[] builtin = Runs.tflite(tflite, Backend.BUILTIN, inputs, n, options.isolated());
    Object[] xnn = Runs.tflite(tflite, Backend.XNNPACK, inputs, n, options.isolated());
    List<Runs.Compare> cbs = Runs.compareAll(g, simD, builtin);
    Runs.Compare cb = Runs.Compare.merge(cbs);
    Runs.Compare cx = Runs.Compare.merge(Runs.compareAll(g, simD, xnn));
    Runs.Compare cxf = Runs.Compare.merge(Runs.compareAll(g, simX, xnn));
    Top1 t = top1(g, model, shapes, data, options, inputs, new Object[][] {builtin, xnn, simD});
    List<OutputReport> outs = new ArrayList<>();
    for (int o = 0; o < g.outputs().length; o++) {
      int[] y = data.labelled() ? data.labels()[o] : null;
      outs.add(
          new OutputReport(
              g.tensor(g.outputs()[o]).name(),
              cbs.get(o).elements(),
              cbs.get(o).exactFraction(),
              cbs.get(o).maxLsb(),
              t.fakeQuant == null ? Double.NaN : Runs.agreement(t.fakeQuant[o], t.int8[o]),
              Runs.accuracy(t.floats[o], y),
              t.fakeQuant == null ? Double.NaN : Runs.accuracy(t.fakeQuant[o], y),
              Runs.accuracy(t.int8[o], y)));
    }
    int[] y0 = data.labelled() ? data.labels()[0] : null;
    double[] diff =
        t.fakeQuantReal == null
            ? new double[] {Double.NaN, Double.NaN}
            : Runs.diffInScale(t.fakeQuantReal, t.int8Real, Runs.outputLsb(g, 0));
    double accPtq =
        options.ptqTflite() == null ? Double.NaN : ptqAccuracy(options, shapes, data, y0);
    return new Report(
        n,
        cb.elements(),
        g.tensor(g.outputs()[0]).type().name(),
        cb.exactFraction(),
        cb.maxLsb(),
        cx.exactFraction(),
        cx.maxLsb(),
        cx.withinOneFraction(),
        cxf.exactFraction(),
        cxf.maxLsb(),
        outs.get(0).top1Agreement(),
        diff[0],
        diff[1],
        Runs.agreement(t.floats[0], t.int8[0]),
        outs.get(0).accuracyFloat(),
        outs.get(0).accuracyFakeQuant(),
        outs.get(0).accuracyInt8(),
        Runs.accuracy(t.xnnpack0, y0),
        Runs.accuracy(t.simulator0, y0),
        accPtq,
        t.sqnr,
        outs);
  }

  /**
   * Top-1 of each output per executor (fake-quant null without a QAT model), output 0's real
   * values, and the per-layer SQNR.
   */
  private record Top1(
      int[][] int8,
      int[][] floats,
      int[][] fakeQuant,
      float[] int8Real,
      float[] fakeQuantReal,
      int[] xnnpack0,
      int[] simulator0,
      List<LayerSqnr> sqnr) {}

  private static Top1 top1(
      LoweredGraph g,
      QatModel model,
      Model shapes,
      MultiDataset data,
      Options options,
      Object[] inputs,
      Object[][] runs) {
    Object[] builtin = runs[0], xnn = runs[1], sim = runs[2];
    int outs = g.outputs().length;
    int[][] int8 = new int[outs][];
    float[] real0 = null;
    for (int o = 0; o < outs; o++) {
      float[] r = Runs.real(g.tensor(g.outputs()[o]), builtin[o]);
      if (o == 0) real0 = r;
      int8[o] = Runs.argmax(r, r.length / data.size());
    }
    float[][] fq = model == null ? null : Runs.predict(model.model(), data);
    int[][] fqTop1 = fq == null ? null : argmaxAll(fq, data.size());
    QatModel names = model != null ? model : Runs.quantizedView(shapes);
    if (names != null) names.setFakeQuantEnabled(false);
    int[][] floats;
    List<LayerSqnr> sqnr;
    try {
      Model floatModel = options.floatModel() != null ? options.floatModel() : model.model();
      floats = argmaxAll(Runs.predict(floatModel, data), data.size());
      int k = Math.min(options.sqnrSamples(), data.size());
      sqnr = names == null ? List.of() : Sqnr.perLayer(g, names.model(), inputs, data, k);
    } finally {
      if (names != null) names.setFakeQuantEnabled(true);
    }
    int classes0 = real0.length / data.size();
    return new Top1(
        int8,
        floats,
        fqTop1,
        real0,
        fq == null ? null : fq[0],
        Runs.argmax(Runs.real(g.tensor(g.outputs()[0]), xnn[0]), classes0),
        Runs.argmax(Runs.real(g.tensor(g.outputs()[0]), sim[0]), classes0),
        sqnr);
  }

  private static int[][] argmaxAll(float[][] v, int n) {
    int[][] r = new int[v.length][];
    for (int o = 0; o < v.length; o++) r[o] = Runs.argmax(v[o], v[o].length / n);
    return r;
  }

  private static double ptqAccuracy(Options o, Model shapes, MultiDataset data, int[] labels) {
    byte[] ptq = o.ptqTflite();
    TfliteModelInfo info = TfliteReader.read(ptq);
    LoweredGraph pg = info.toLoweredGraph();
    Runs.checkShapes(pg, shapes, data);
    Object[] in = Runs.inputs(pg, IndexInputs.limits(info.subgraph(0)), data);
    Object[] pout = Runs.tflite(ptq, Backend.BUILTIN, in, data.size(), o.isolated());
    float[] r = Runs.real(pg.tensor(pg.outputs()[0]), pout[0]);
    return Runs.accuracy(Runs.argmax(r, r.length / data.size()), labels);
  }
}
