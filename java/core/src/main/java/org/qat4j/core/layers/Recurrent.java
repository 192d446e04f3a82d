package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * What GRU and LSTM share: units, returnSequences, the (hard) sigmoid gate, the kernel [F, G·U],
 * recurrent kernel [U, G·U] and bias params, shapes and config; each subclass keeps its gate maths.
 */
abstract class Recurrent extends Layer {
  final int units;
  boolean returnSequences;
  Recurrence.Gate gate = Recurrence.Gate.SIGMOID;
  Param kernel;
  Param recurrent;
  Param bias;
  private Tensor y;

  Recurrent(String name, int units) {
    super(name);
    if (units <= 0)
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " '" + name + "': units must be > 0");
    this.units = units;
  }

  public int units() {
    return units;
  }

  public boolean returnsSequences() {
    return returnSequences;
  }

  public boolean usesHardSigmoid() {
    return gate == Recurrence.Gate.HARD_SIGMOID;
  }

  /** Kernel [F, G·U] (G gates). */
  public Param kernel() {
    return kernel;
  }

  /** Recurrent kernel [U, G·U]. */
  public Param recurrentKernel() {
    return recurrent;
  }

  /** Bias [G·U]; a GRU with reset_after has [2, G·U] (input row, recurrent row). */
  public Param bias() {
    return bias;
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 2)
      throw shapeError("expects a sequence [steps, features], got " + Arrays.toString(s));
    return returnSequences ? new int[] {s[0], units} : new int[] {units};
  }

  /** Glorot-uniform kernel [f, g] then recurrent kernel [U, g], drawn in that order from rng. */
  void buildKernels(int f, int g, SplittableRandom rng) {
    kernel = new Param("kernel", Initializer.glorotUniform().sample(rng, f, g, f, g), true);
    recurrent =
        new Param(
            "recurrent_kernel", Initializer.glorotUniform().sample(rng, units, g, units, g), true);
  }

  /** The input x after the built and [N, T, F] checks. */
  Tensor checkedInput(Tensor x) {
    if (kernel == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    Recurrence.checkInput(name(), x, kernel.value().dim(0));
    return x;
  }

  /** The output from the hidden states h [N, T+1, U]: every step's, or only the last one. */
  Tensor output(Tensor h, int n, int t) {
    y = returnSequences ? Tensor.reuse(y, n, t, units) : Tensor.reuse(y, n, units);
    var hb = h.buffer();
    var yb = y.buffer();
    int steps = returnSequences ? t : 1;
    for (int i = 0; i < n; i++)
      for (int s = 0; s < steps; s++) {
        int from = (i * (t + 1) + (returnSequences ? s + 1 : t)) * units;
        for (int j = 0; j < units; j++) yb.put((i * steps + s) * units + j, hb.get(from + j));
      }
    return y;
  }

  @Override
  public List<Param> params() {
    return List.of(kernel, recurrent, bias);
  }

  /** Subclass options written between return_sequences and hard_sigmoid. */
  void addConfig(JsonObject o) {}

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("units", units);
    o.addProperty("return_sequences", returnSequences);
    addConfig(o);
    o.addProperty("hard_sigmoid", usesHardSigmoid());
    return o;
  }
}
