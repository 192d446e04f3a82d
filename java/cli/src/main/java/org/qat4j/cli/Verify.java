package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.ir.DType;
import org.qat4j.quant.ir.LoweredGraph;
import org.qat4j.quant.ir.OpKind;
import org.qat4j.quant.ir.OpSpec;
import org.qat4j.quant.ir.TensorSpec;
import org.qat4j.quant.sim.Simulator;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * {@code verify}: runs the .tflite in TFLite (BUILTIN and XNNPACK) and in qat4j's integer
 * simulator on the same quantized inputs, and compares raw outputs (exact fraction, max |Δ| in
 * LSB), top-1 against the Java float model, and per-layer SQNR of simulated int8 activations vs
 * the float model's activations of the same name.
 */
final class Verify {
  static final int SQNR_IMAGES = 16;

  private final Pipeline p;

  Verify(Pipeline p) { this.p = p; }

  JsonObject run(String modelRef, Path tflite, Path data, int limit) throws IOException {
    Dataset test = p.testSet(data, limit);
    Model floatModel;
    QatModel qat = null;
    Path ref = Path.of(modelRef);
    if (!modelRef.startsWith("zoo:") && Files.isRegularFile(ref) && QatFiles.isQat(ref)) {
      QatFiles.Loaded l = new QuantSteps(p).loadQat(ref, "--model");
      floatModel = l.floatModel();
      qat = l.qat();
    } else {
      floatModel = Models.load(modelRef, 1L, "--model");
    }
    Models.requireFashionMnistShape(floatModel, modelRef, "--model");
    if (qat != null) return viaRuntime(qat, floatModel, tflite, test);
    TfliteModelInfo info = Pipeline.readTflite(tflite, "--tflite");
    LoweredGraph g;
    Simulator sim;
    try {
      g = info.toLoweredGraph();
      sim = new Simulator(g);
    } catch (RuntimeException e) {
      throw CliException.failed("the integer simulator cannot run " + tflite + ": " + Main.oneLine(e), e);
    }
    TensorSpec in = g.tensor(g.inputs()[0]);
    TensorSpec out = g.tensor(g.outputs()[0]);
    if (in.elements() != 28 * 28) throw CliException.usage("--tflite: " + tflite + " does not take 28×28×1 inputs");
    int n = test.size();
    int outLen = out.elements();
    Object inputs = inputs(in, test);
    Object simOut;
    try (Progress bar = p.progress().create("simulate int8", 1, "passes")) {
      simOut = sim.runBatch(n, inputs)[0];
      bar.step(1);
    }
    double lsb = outputLsb(g, out);
    JsonObject r = new JsonObject();
    r.addProperty("count", n);
    int[] int8Top1 = null;
    for (Backend b : new Backend[] {Backend.BUILTIN, Backend.XNNPACK}) {
      Object tfl = runTflite(tflite, b, in, inputs, n, outLen);
      Compare c = compare(out.type(), simOut, tfl, lsb);
      r.addProperty("bit_exact_fraction_" + b.id(), c.exactFraction);
      r.addProperty("max_lsb_" + b.id(), c.maxLsb);
      if (b == Backend.BUILTIN) int8Top1 = top1(out.type(), tfl, n, outLen);
    }
    int[] simTop1 = top1(out.type(), simOut, n, outLen);
    int[] floatTop1 = javaTop1(floatModel, test);
    r.addProperty("top1_agreement", agreement(floatTop1, int8Top1));
    r.addProperty("accuracy_float", accuracy(floatTop1, test));
    r.addProperty("accuracy_int8", accuracy(int8Top1, test));
    r.addProperty("accuracy_simulator", accuracy(simTop1, test));
    if (qat != null) {
      int[] fq = javaTop1(qat.model(), test);
      r.addProperty("accuracy_fake_quant", accuracy(fq, test));
      r.addProperty("top1_agreement_fake_quant", agreement(fq, int8Top1));
    }
    r.addProperty("output_type", out.type().name());
    r.addProperty("simulator_rounding", sim.mode().name());
    // Same names as the lowered graph: the QAT structure with fake-quant off computes the float model.
    QatModel plain = qat != null ? qat : org.qat4j.quant.Quantize.model(floatModel);
    plain.setFakeQuantEnabled(false);
    try {
      r.add("per_layer_sqnr", sqnr(g, sim, plain.model(), in, inputs, test));
    } finally {
      plain.setFakeQuantEnabled(true);
    }
    return r;
  }

  /**
   * A QAT model: the runtime's {@link org.qat4j.runtime.verify.Verification} (also XNNPACK against the
   * simulator's XNNPACK_F32 rounding); {@code top1_agreement} compares the fake-quant model with TFLite.
   */
  private JsonObject viaRuntime(QatModel qat, Model floatModel, Path tflite, Dataset test) throws IOException {
    Pipeline.readTflite(tflite, "--tflite");
    org.qat4j.runtime.verify.Verification.Report v;
    try (Progress bar = p.progress().create("verify (simulator, TFLite builtin + xnnpack, Java)", 1, "passes")) {
      v = org.qat4j.runtime.verify.Verification.verify(qat, Files.readAllBytes(tflite), test,
          org.qat4j.runtime.verify.Verification.Options.defaults().withFloatModel(floatModel).withSqnrSamples(SQNR_IMAGES));
      bar.step(1);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--tflite: " + tflite + " does not fit " + "the model: " + Main.oneLine(e));
    }
    JsonObject r = Json.GSON.toJsonTree(v.toMap()).getAsJsonObject();
    r.addProperty("top1_agreement_fake_quant", v.top1Agreement());
    r.addProperty("reference", "QAT model (fake-quant) for top1_agreement; its float model for accuracy_float");
    return r;
  }

  /** External input values of all samples back to back: floats, or int8/uint8 bytes quantized with the input params. */
  static Object inputs(TensorSpec in, Dataset test) {
    int per = in.elements();
    if (in.type() == DType.FLOAT32) {
      float[] v = new float[test.size() * per];
      for (int i = 0; i < test.size(); i++) System.arraycopy(test.sample(i), 0, v, i * per, per);
      return v;
    }
    float scale = in.quant().scale();
    long zp = in.quant().zeroPoint();
    boolean u = in.type() == DType.UINT8;
    byte[] v = new byte[test.size() * per];
    for (int i = 0; i < test.size(); i++) {
      float[] s = test.sample(i);
      for (int k = 0; k < per; k++) {
        long q = Math.round(s[k] / scale) + zp;
        v[i * per + k] = (byte) Math.max(u ? 0 : -128, Math.min(u ? 255 : 127, q));
      }
    }
    return v;
  }

  private Object runTflite(Path file, Backend b, TensorSpec in, Object inputs, int n, int outLen) throws IOException {
    int per = in.elements();
    boolean f = inputs instanceof float[];
    Object all;
    try (TfliteModel m = TfliteRun.model(file); Interpreter it = TfliteRun.open(m, b, 1);
         Progress bar = p.progress().create("TFLite " + b.id(), n, "images")) {
      boolean floatOut = it.outputInfo(0).type() == org.qat4j.runtime.DataType.FLOAT32;
      all = floatOut ? new float[n * outLen] : new byte[n * outLen];
      for (int i = 0; i < n; i++) {
        if (f) it.setInput(0, java.util.Arrays.copyOfRange((float[]) inputs, i * per, (i + 1) * per));
        else it.setInput(0, java.util.Arrays.copyOfRange((byte[]) inputs, i * per, (i + 1) * per));
        it.invoke();
        if (floatOut) System.arraycopy(it.outputFloats(0), 0, (float[]) all, i * outLen, outLen);
        else System.arraycopy(it.outputBytes(0), 0, (byte[]) all, i * outLen, outLen);
        if ((i + 1) % 100 == 0 || i + 1 == n) bar.step(i + 1 - (i / 100) * 100L);
      }
    }
    return all;
  }

  /** Scale of one output LSB: the output's own scale, or the scale feeding a final DEQUANTIZE; NaN if unknown. */
  static double outputLsb(LoweredGraph g, TensorSpec out) {
    if (out.quant() != null) return out.quant().scale();
    int o = g.outputs()[0];
    for (OpSpec op : g.ops()) {
      if (op.kind() == OpKind.DEQUANTIZE && op.outputs()[0] == o) {
        TensorSpec src = g.tensor(op.inputs()[0]);
        if (src.quant() != null) return src.quant().scale();
      }
    }
    return Double.NaN;
  }

  record Compare(double exactFraction, long maxLsb) {}

  static Compare compare(DType type, Object sim, Object tfl, double lsb) {
    long exact = 0;
    long max = 0;
    int len;
    if (sim instanceof float[] a) {
      float[] b = (float[]) tfl;
      len = a.length;
      for (int i = 0; i < len; i++) {
        if (a[i] == b[i]) exact++;
        max = Math.max(max, Double.isNaN(lsb) ? (a[i] == b[i] ? 0 : 1) : Math.round(Math.abs(a[i] - b[i]) / lsb));
      }
    } else {
      byte[] a = (byte[]) sim;
      byte[] b = (byte[]) tfl;
      boolean u = type == DType.UINT8;
      len = a.length;
      for (int i = 0; i < len; i++) {
        int x = u ? a[i] & 0xFF : a[i];
        int y = u ? b[i] & 0xFF : b[i];
        if (x == y) exact++;
        max = Math.max(max, Math.abs(x - y));
      }
    }
    return new Compare(len == 0 ? 1.0 : exact / (double) len, max);
  }

  static int[] top1(DType type, Object outs, int n, int len) {
    int[] r = new int[n];
    boolean u = type == DType.UINT8;
    for (int i = 0; i < n; i++) {
      int best = 0;
      double bestV = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < len; k++) {
        double v = outs instanceof float[] f ? f[i * len + k] : u ? ((byte[]) outs)[i * len + k] & 0xFF : ((byte[]) outs)[i * len + k];
        if (v > bestV) { bestV = v; best = k; }
      }
      r[i] = best;
    }
    return r;
  }

  private int[] javaTop1(Model m, Dataset test) {
    int[] r = new int[test.size()];
    int i = 0;
    try (Progress bar = p.progress().create("Java reference", test.size(), "images")) {
      for (var b : test.batches(250, false, 0)) {
        Tensor logits = m.predict(b.images());
        int c = logits.dim(1);
        for (int k = 0; k < b.size(); k++) {
          int best = 0;
          for (int j = 1; j < c; j++) if (logits.get(k * c + j) > logits.get(k * c + best)) best = j;
          r[i++] = best;
        }
        bar.step(b.size());
      }
    }
    return r;
  }

  static double agreement(int[] a, int[] b) {
    long same = 0;
    for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
    return same / (double) a.length;
  }

  static double accuracy(int[] pred, Dataset d) {
    long ok = 0;
    for (int i = 0; i < pred.length; i++) if (pred[i] == d.label(i)) ok++;
    return ok / (double) pred.length;
  }

  /** The node whose activation a lowered tensor holds: the following ReLU/ReLU6 node when the op fused it. */
  static String afterFusedActivation(LoweredGraph g, int tensor, Model m, String name) {
    for (OpSpec op : g.ops()) {
      if (op.outputs().length == 0 || op.outputs()[0] != tensor) continue;
      if (op.options().activation() == org.qat4j.quant.ir.FusedActivation.NONE) return name;
      java.util.List<Node> next = m.consumers(m.node(name));
      if (next.size() == 1 && next.get(0).layer().type().startsWith("ReLU")) return next.get(0).name();
    }
    return name;
  }

  /** SQNR (dB) of each simulated per-tensor int8 activation whose name is a node of the float model. */
  private JsonArray sqnr(LoweredGraph g, Simulator sim, Model floatModel, TensorSpec in, Object inputs, Dataset test) {
    Set<String> names = new HashSet<>();
    for (Node nd : floatModel.nodes()) names.add(nd.name());
    int k = Math.min(SQNR_IMAGES, test.size());
    int tensors = g.tensors().size();
    double[] signal = new double[tensors];
    double[] noise = new double[tensors];
    int per = in.elements();
    for (int i = 0; i < k; i++) {
      Object x = inputs instanceof float[] f ? java.util.Arrays.copyOfRange(f, i * per, (i + 1) * per)
          : java.util.Arrays.copyOfRange((byte[]) inputs, i * per, (i + 1) * per);
      Object[] all = sim.runAll(x);
      floatModel.predict(Tensor.of(test.sample(i), 1, 28, 28, 1));
      for (int t = 0; t < tensors; t++) {
        TensorSpec s = g.tensor(t);
        if (s.isConstant() || s.type() != DType.INT8 || s.quant() == null || s.quant().perAxis() || !names.contains(s.name())) continue;
        Tensor ref = floatModel.activation(afterFusedActivation(g, t, floatModel, s.name()));
        if (ref == null || ref.size() != s.elements() || !(all[t] instanceof byte[] q)) continue;
        double scale = s.quant().scale();
        long zp = s.quant().zeroPoint();
        for (int e = 0; e < q.length; e++) {
          double real = ref.get(e);
          double deq = (q[e] - zp) * scale;
          signal[t] += real * real;
          noise[t] += (real - deq) * (real - deq);
        }
      }
    }
    JsonArray a = new JsonArray();
    for (int t = 0; t < tensors; t++) {
      if (signal[t] == 0 && noise[t] == 0) continue;
      double db = noise[t] == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal[t] / noise[t]);
      a.add(Json.object("name", g.tensor(t).name(), "sqnr_db", Double.isFinite(db) ? db : null));
    }
    return a;
  }
}
