package org.qat4j.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.tflite.TfliteReader;

/**
 * Verifies an exported int8 {@code .tflite} against what produced it: TFLite (BUILTIN, XNNPACK) vs
 * the integer simulator on identical quantized inputs, the fake-quant model vs deployed int8,
 * accuracies, and per-layer SQNR of the simulated int8 activations vs the float activations. Images
 * are real-valued NHWC samples of the model's input shape; int8/uint8 inputs are quantized once
 * with the exported input params and fed to every executor. The caller keeps ownership of all
 * arguments; the QAT model's fake-quant switches are restored before returning.
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
      List<LayerSqnr> perLayerSqnr) {
    public Report {
      perLayerSqnr = List.copyOf(perLayerSqnr);
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
    return run(model, model.model(), tflite, data, options);
  }

  /**
   * Verifies an int8 export of a float model when no QAT model exists (e.g. a PTQ export read
   * back): everything but the fake-quant figures, which are NaN.
   */
  public static Report verify(Model floatModel, byte[] tflite, Dataset data, Options options) {
    if (floatModel == null) throw new IllegalArgumentException("float model is null");
    return run(
        null,
        floatModel,
        tflite,
        data,
        options.floatModel() == null ? options.withFloatModel(floatModel) : options);
  }

  private static Report run(
      QatModel model, Model shapes, byte[] tflite, Dataset data, Options options) {
    if (tflite == null || data == null || options == null)
      throw new IllegalArgumentException("tflite, data and options must not be null");
    if (data.size() == 0) throw new IllegalArgumentException("dataset is empty");
    LoweredGraph g = TfliteReader.read(tflite).toLoweredGraph();
    Runs.checkShapes(g, shapes, data);
    TensorSpec out = g.tensor(g.outputs()[0]);
    int n = data.size();
    Object inputs = Runs.inputs(g.tensor(g.inputs()[0]), data);
    double lsb = Runs.outputLsb(g);
    Object simD = new Simulator(g, RoundingMode.DOUBLE).runBatch(n, inputs)[0];
    Object simX = new Simulator(g, RoundingMode.XNNPACK_F32).runBatch(n, inputs)[0];
    Object builtin = Runs.tflite(tflite, Backend.BUILTIN, inputs, n, options.isolated());
    Object xnn = Runs.tflite(tflite, Backend.XNNPACK, inputs, n, options.isolated());
    Runs.Compare cb = Runs.compare(out.type(), simD, builtin, lsb);
    Runs.Compare cx = Runs.compare(out.type(), simD, xnn, lsb);
    Runs.Compare cxf = Runs.compare(out.type(), simX, xnn, lsb);
    float[] deployed = Runs.real(out, builtin);
    int classes = deployed.length / n;
    int[] int8Top1 = Runs.argmax(deployed, classes);
    double[] fqFig = fakeQuantFigures(model, data, deployed, int8Top1, lsb);
    int[] floatTop1;
    List<LayerSqnr> sqnr;
    QatModel names = model != null ? model : Runs.quantizedView(shapes);
    if (names != null) names.setFakeQuantEnabled(false);
    try {
      Model floatModel = options.floatModel() != null ? options.floatModel() : model.model();
      floatTop1 = Runs.argmax(Runs.predict(floatModel, data), classes);
      sqnr =
          names == null
              ? List.of()
              : Sqnr.perLayer(g, names.model(), inputs, data, Math.min(options.sqnrSamples(), n));
    } finally {
      if (names != null) names.setFakeQuantEnabled(true);
    }
    double accPtq =
        options.ptqTflite() == null ? Double.NaN : ptqAccuracy(options, shapes, data, classes);
    return new Report(
        n,
        cb.elements(),
        out.type().name(),
        cb.exactFraction(),
        cb.maxLsb(),
        cx.exactFraction(),
        cx.maxLsb(),
        cx.withinOneFraction(),
        cxf.exactFraction(),
        cxf.maxLsb(),
        fqFig[0],
        fqFig[1],
        fqFig[2],
        Runs.agreement(floatTop1, int8Top1),
        Runs.accuracy(floatTop1, data),
        fqFig[3],
        Runs.accuracy(int8Top1, data),
        Runs.accuracy(Runs.argmax(Runs.real(out, xnn), classes), data),
        Runs.accuracy(Runs.argmax(Runs.real(out, simD), classes), data),
        accPtq,
        sqnr);
  }

  /**
   * {top-1 agreement, max and mean |Δ| in output LSB, fake-quant accuracy} of the QAT model vs
   * deployed; NaN without one.
   */
  private static double[] fakeQuantFigures(
      QatModel model, Dataset data, float[] deployed, int[] int8Top1, double lsb) {
    if (model == null) return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    float[] fq = Runs.predict(model.model(), data);
    double[] diff = Runs.diffInScale(fq, deployed, lsb);
    int[] fqTop1 = Runs.argmax(fq, int8Top1.length == 0 ? 1 : fq.length / int8Top1.length);
    return new double[] {
      Runs.agreement(fqTop1, int8Top1), diff[0], diff[1], Runs.accuracy(fqTop1, data)
    };
  }

  private static double ptqAccuracy(Options o, Model shapes, Dataset data, int classes) {
    byte[] ptq = o.ptqTflite();
    LoweredGraph pg = TfliteReader.read(ptq).toLoweredGraph();
    Runs.checkShapes(pg, shapes, data);
    Object pin = Runs.inputs(pg.tensor(pg.inputs()[0]), data);
    Object pout = Runs.tflite(ptq, Backend.BUILTIN, pin, data.size(), o.isolated());
    return Runs.accuracy(Runs.argmax(Runs.real(pg.tensor(pg.outputs()[0]), pout), classes), data);
  }
}
