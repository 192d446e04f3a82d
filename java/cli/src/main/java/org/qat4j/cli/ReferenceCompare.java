package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.qat4j.runtime.Backend;

/**
 * {@code verify --tflite X --reference R}: R (e.g. the float model X was converted from) on TFLite
 * BUILTIN fed the same real inputs; X's BUILTIN outputs, dequantized, against R's: top-1 agreement
 * of output 0 (classifiers) and the SQNR of every output.
 */
final class ReferenceCompare {
  private final Path reference;

  ReferenceCompare(Path reference) {
    this.reference = reference;
  }

  /** Adds {@code top1_agreement}, {@code output_sqnr_db[]} and {@code reference} to {@code r}. */
  void into(JsonObject r, InputSamples.Set set, List<Object[]> outputs, List<TensorIo.Port> outs)
      throws IOException {
    Args.tfliteFile(reference, "--reference");
    List<TensorIo.Port> ins;
    double[] signal = new double[outs.size()], noise = new double[outs.size()];
    long agree = 0;
    boolean classifier = outs.get(0).elements() > 1;
    try (ModelRunner ref = ModelRunner.open(reference, Backend.BUILTIN, 1, CustomOpSpecs.NONE)) {
      ins = ref.inputs();
      check(ref, set.ports(), outs);
      for (int s = 0; s < set.count(); s++) {
        Object[] sample = set.samples().get(s);
        Object[] feed = new Object[sample.length];
        for (int i = 0; i < feed.length; i++)
          feed[i] = TensorIo.fromReal(TensorIo.real(sample[i], set.ports().get(i)), ins.get(i));
        Object[] want = ref.invoke(feed);
        for (int o = 0; o < outs.size(); o++) {
          float[] x = TensorIo.real(outputs.get(s)[o], outs.get(o));
          float[] y = TensorIo.real(want[o], ref.outputs().get(o));
          for (int k = 0; k < x.length; k++) {
            signal[o] += (double) y[k] * y[k];
            noise[o] += ((double) x[k] - y[k]) * ((double) x[k] - y[k]);
          }
          if (o == 0 && classifier && argmax(x) == argmax(y)) agree++;
        }
      }
    }
    if (classifier) r.addProperty("top1_agreement", agree / (double) set.count());
    else r.add("top1_agreement", JsonNull.INSTANCE);
    JsonArray sqnr = new JsonArray();
    for (int o = 0; o < outs.size(); o++) {
      double db = 10 * Math.log10(signal[o] / noise[o]);
      if (Double.isFinite(db)) sqnr.add(db);
      else sqnr.add(JsonNull.INSTANCE);
    }
    r.add("output_sqnr_db", sqnr);
    r.addProperty("reference", reference.toString());
  }

  /** Fails early (exit 2) when the reference's inputs or outputs differ in count or size. */
  void checkFits(List<TensorIo.Port> mine, List<TensorIo.Port> outs) throws IOException {
    Args.tfliteFile(reference, "--reference");
    try (ModelRunner ref = ModelRunner.open(reference, Backend.BUILTIN, 1, CustomOpSpecs.NONE)) {
      check(ref, mine, outs);
    }
  }

  private void check(ModelRunner ref, List<TensorIo.Port> mine, List<TensorIo.Port> outs) {
    List<TensorIo.Port> ins = ref.inputs();
    boolean same = ins.size() == mine.size() && ref.outputs().size() == outs.size();
    for (int i = 0; same && i < ins.size(); i++)
      same = ins.get(i).elements() == mine.get(i).elements();
    for (int o = 0; same && o < outs.size(); o++)
      same = ref.outputs().get(o).elements() == outs.get(o).elements();
    if (!same)
      throw CliException.usage(
          "--reference: "
              + reference
              + " does not fit: inputs "
              + describe(ins)
              + " / outputs "
              + describe(ref.outputs())
              + " vs the .tflite's inputs "
              + describe(mine)
              + " / outputs "
              + describe(outs));
  }

  private static String describe(List<TensorIo.Port> l) {
    StringBuilder b = new StringBuilder("[");
    for (TensorIo.Port p : l)
      b.append(b.length() > 1 ? ", " : "").append(p.type()).append(Arrays.toString(p.shape()));
    return b.append(']').toString();
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
