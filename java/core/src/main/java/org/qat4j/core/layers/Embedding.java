package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * Keras's Embedding: [N, T] token indices (float values, truncated toward zero as Keras's cast to
 * int32 does) → [N, T, D] rows of the table [V, D]. Indices outside [0, V) are refused. Indices
 * have no gradient (backward returns null for the input).
 */
public final class Embedding extends Layer {
  private final int inputDim;
  private final int outputDim;
  private Param table;
  private int[] idx;
  private Tensor y;

  public Embedding(String name, int inputDim, int outputDim) {
    super(name);
    if (inputDim <= 0 || outputDim <= 0)
      throw new IllegalArgumentException(
          "Embedding '" + name + "': input_dim and output_dim must be > 0");
    this.inputDim = inputDim;
    this.outputDim = outputDim;
  }

  static Embedding fromConfig(String name, JsonObject c) {
    return new Embedding(name, c.get("input_dim").getAsInt(), c.get("output_dim").getAsInt());
  }

  /** Vocabulary size V. */
  public int inputDim() {
    return inputDim;
  }

  /** Row width D. */
  public int outputDim() {
    return outputDim;
  }

  /** The table [V, D]. */
  public Param embeddings() {
    return table;
  }

  @Override
  public String type() {
    return "Embedding";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 1)
      throw shapeError("expects a flat sequence of indices [steps], got " + Arrays.toString(s));
    return new int[] {s[0], outputDim};
  }

  /** Keras's default: U(−0.05, 0.05). */
  @Override
  public void build(int[][] in, SplittableRandom rng) {
    Tensor t = Tensor.zeros(inputDim, outputDim);
    for (int i = 0; i < t.size(); i++) t.set(i, (float) (rng.nextDouble() * 0.1 - 0.05));
    table = new Param("embeddings", t, true);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    if (table == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    if (x.rank() != 2)
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, T], got " + x);
    int n = x.size();
    idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = index(x.get(i), i);
    y = Tensor.reuse(y, x.dim(0), x.dim(1), outputDim);
    var tb = table.value().buffer();
    var yb = y.buffer();
    for (int i = 0; i < n; i++) yb.put(i * outputDim, tb, idx[i] * outputDim, outputDim);
    return y;
  }

  private int index(float v, int at) {
    if (!(v > -1f && v < inputDim))
      throw new IllegalArgumentException(
          "layer '"
              + name()
              + "': index "
              + v
              + " at position "
              + at
              + " is outside [0, "
              + inputDim
              + ")");
    return (int) v;
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    Tensor g = table.grad();
    g.fill(0f);
    var gb = g.buffer();
    var yb = gy.buffer();
    for (int i = 0; i < idx.length; i++) {
      int row = idx[i] * outputDim;
      for (int j = 0; j < outputDim; j++)
        gb.put(row + j, gb.get(row + j) + yb.get(i * outputDim + j));
    }
    return new Tensor[] {null};
  }

  @Override
  public List<Param> params() {
    return List.of(table);
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("input_dim", inputDim);
    o.addProperty("output_dim", outputDim);
    return o;
  }

  @Override
  public Embedding copy() {
    return new Embedding(name(), inputDim, outputDim);
  }
}
