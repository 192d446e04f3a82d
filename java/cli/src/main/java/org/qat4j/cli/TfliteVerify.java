package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.UserData;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * {@code verify --tflite X} without a qat4j model: any int8/uint8 .tflite on TFLite BUILTIN and
 * XNNPACK against qat4j's integer simulator (DOUBLE rounding) on the same raw inputs, per output
 * and in total; {@code --reference} adds the comparison with e.g. the float original ({@link
 * ReferenceCompare}).
 */
final class TfliteVerify {
  private static final Pattern UNSUPPORTED =
      Pattern.compile("operator (\\d+) \\(([^)]+)\\) is not supported");

  private final Pipeline p;

  TfliteVerify(Pipeline p) {
    this.p = p;
  }

  JsonObject run(Path tflite, Path data, int limit, Path reference) throws IOException {
    TfliteModelInfo info = Pipeline.readTflite(tflite, "--tflite");
    Simulator sim = simulator(info, tflite);
    LoweredGraph g = sim.graph();
    InputSamples.Set set;
    List<Object[]> builtin;
    List<TensorIo.Port> outs;
    try (ModelRunner b = ModelRunner.open(tflite, Backend.BUILTIN, 1)) {
      if (reference != null) new ReferenceCompare(reference).checkFits(b.inputs(), b.outputs());
      set = samples(b.inputs(), info, data, limit);
      p.info().accept("verify " + tflite.getFileName() + " on " + set.source());
      builtin = b.invokeAll(set.samples());
      outs = b.outputs();
    }
    List<Object[]> xnnpack;
    try (ModelRunner x = ModelRunner.open(tflite, Backend.XNNPACK, 1)) {
      xnnpack = x.invokeAll(set.samples());
    }
    List<OutputTally> tb = new ArrayList<>(), tx = new ArrayList<>();
    for (int o = 0; o < outs.size(); o++) {
      double lsb = lsb(g, o);
      tb.add(new OutputTally(outs.get(o).type(), lsb));
      tx.add(new OutputTally(outs.get(o).type(), lsb));
    }
    try (Progress bar = p.progress().create("simulate", set.count(), "samples")) {
      for (int s = 0; s < set.count(); s++) {
        Object[] simOut = sim.run(set.samples().get(s));
        for (int o = 0; o < outs.size(); o++) {
          tb.get(o).add(builtin.get(s)[o], simOut[o]);
          tx.get(o).add(xnnpack.get(s)[o], simOut[o]);
        }
        bar.step(1);
      }
    }
    JsonObject r = report(tflite, set, outs, tb, tx);
    if (reference != null) new ReferenceCompare(reference).into(r, set, builtin, outs);
    return r;
  }

  /** The simulator for the model, or a failure naming the operators it lacks. */
  static Simulator simulator(TfliteModelInfo info, Path tflite) {
    if (ModelRunner.edgetpuCompiled(info))
      throw CliException.usage(
          "--tflite: "
              + tflite
              + " is compiled for the Edge TPU (edgetpu-custom-op): its integer arithmetic runs on the"
              + " TPU; verify the uncompiled .tflite it was compiled from");
    requireQuantized(info, tflite);
    LoweredGraph g;
    try {
      g = info.toLoweredGraph();
      return new Simulator(g, RoundingMode.DOUBLE);
    } catch (ModelFormatException | IllegalArgumentException e) {
      throw CliException.failed(
          "--tflite: "
              + tflite
              + ": qat4j's integer simulator cannot run this model yet: "
              + unsupported(Main.oneLine(e)),
          e);
    }
  }

  /** "lacks operator(s) A (op 3), B (ops 7, 9)" from the reader's message, else the message. */
  static String unsupported(String message) {
    Matcher m = UNSUPPORTED.matcher(message);
    Map<String, List<String>> ops = new LinkedHashMap<>();
    while (m.find()) ops.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
    if (ops.isEmpty()) return message;
    List<String> parts = new ArrayList<>();
    ops.forEach(
        (k, v) -> parts.add(k + " (op" + (v.size() > 1 ? "s " : " ") + String.join(", ", v) + ")"));
    return "it lacks operator(s) "
        + String.join(", ", parts)
        + "; TFLite itself runs it (./qat4j run / eval / bench)";
  }

  private static void requireQuantized(TfliteModelInfo info, Path tflite) {
    for (TensorInfo t : info.subgraph(0).tensors())
      if ((t.dtype() == DType.INT8 || t.dtype() == DType.UINT8)
          && t.quantization() != null
          && t.quantization().hasScales()) return;
    throw CliException.usage(
        "--tflite: "
            + tflite
            + " is a float model (no int8/uint8 tensor): verify checks integer arithmetic;"
            + " pass it as --reference of its quantized version");
  }

  private InputSamples.Set samples(
      List<TensorIo.Port> ins, TfliteModelInfo info, Path data, int limit) {
    if (data == null)
      return InputSamples.generated(ins, info, limit > 0 ? limit : InputSamples.GENERATED);
    if (ins.size() != 1)
      throw CliException.usage(
          "--data: the model has " + ins.size() + " inputs; --data feeds single-input models");
    int[] s = ins.get(0).shape();
    Dataset d =
        p.load(
            data,
            UserData.Split.TEST,
            Arrays.copyOfRange(s, Math.min(1, s.length), s.length),
            false,
            "--data");
    if (limit > 0) d = d.subset(0, Math.min(limit, d.size()));
    TokenIds.check(info.subgraph(0), d, "--data");
    return InputSamples.fromData(d, ins.get(0), "--data " + data + " (" + d.size() + " samples)");
  }

  /** Real size of one step of output o when it is a float from DEQUANTIZE, else NaN. */
  static double lsb(LoweredGraph g, int o) {
    int t = g.outputs()[o];
    for (OpSpec op : g.ops())
      if (op.kind() == OpKind.DEQUANTIZE
          && op.outputs()[0] == t
          && g.tensor(op.inputs()[0]).quant() != null)
        return g.tensor(op.inputs()[0]).quant().scale();
    return Double.NaN;
  }

  private static JsonObject report(
      Path tflite,
      InputSamples.Set set,
      List<TensorIo.Port> outs,
      List<OutputTally> tb,
      List<OutputTally> tx) {
    JsonObject r = new JsonObject();
    OutputTally.total(tb, "builtin", r);
    OutputTally.total(tx, "xnnpack", r);
    r.addProperty("count", set.count());
    r.addProperty("inputs", set.source());
    r.addProperty(
        "simulator", "qat4j integer simulator, DOUBLE rounding (TFLite's reference build)");
    r.addProperty("tflite", tflite.toString());
    JsonArray a = new JsonArray();
    for (int o = 0; o < outs.size(); o++) {
      JsonObject e = new JsonObject();
      e.addProperty("name", outs.get(o).name());
      e.addProperty("type", outs.get(o).type().toString());
      e.add("shape", Json.GSON.toJsonTree(outs.get(o).shape()));
      e.addProperty("elements", tb.get(o).elements());
      tb.get(o).into(e, "builtin");
      tx.get(o).into(e, "xnnpack");
      a.add(e);
    }
    r.add("outputs", a);
    r.add("warnings", new JsonArray());
    return r;
  }
}
