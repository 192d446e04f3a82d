package org.qat4j.quant.lower;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.qat4j.core.Node;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.QuantizedRecurrent;
import org.qat4j.quant.layers.RecurrentCells;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * int8 lowering of a {@link QuantizedRecurrent} (batch 1): the float lowering's unrolled operators
 * ({@link RecurrentCells}, {@link CellEmitter}), every tensor int8 on its role's grid, weights per
 * tensor with zero point 0 exactly as the QAT forward fake-quantizes them, int32 biases with scale
 * s_in·s_w. hard_sigmoid's constants are stored as 127 with scale c/127; its MINIMUM's 1 on the
 * output's grid.
 */
final class Int8Cells extends CellEmitter {
  private final Int8Lowering x;
  private final QuantizedRecurrent r;
  private final Map<Matrix, float[]> codes = new EnumMap<>(Matrix.class);

  private Int8Cells(Int8Lowering x, Node n, QuantizedRecurrent r) {
    super(x.b, n);
    this.x = x;
    this.r = r;
  }

  static void lower(Int8Lowering x, Node n, QuantizedRecurrent r) {
    RecurrentCells.walk(r.inner(), new Int8Cells(x, n, r));
  }

  @Override
  DType type() {
    return DType.INT8;
  }

  @Override
  QuantParams params(String role) {
    return Int8Lowering.activationParams(r.role(role));
  }

  @Override
  int input() {
    return x.in(n, 0);
  }

  private float weightScale(Matrix m) {
    FakeQuant.Nudged g = r.weightQuantizer(m).grids()[0];
    return g.zero() ? 1f : g.scale();
  }

  /** The int8 codes of a whole weight matrix (core layout), as the QAT forward rounds them. */
  private float[] codes(Matrix m) {
    return codes.computeIfAbsent(
        m,
        k -> {
          float[] latent = r.weight(k).value().toArray();
          float[] scale = {weightScale(k)};
          byte[] q =
              Int8Checks.quantizeKernel(latent, r.weightQuantizer(k).grids(), false, scale, 1);
          float[] f = new float[q.length];
          for (int i = 0; i < q.length; i++) f[i] = q[i];
          return f;
        });
  }

  @Override
  int newWeight(Cols w) {
    Matrix m = w.matrix();
    int rows = r.weight(m).value().dim(0), cols = r.weight(m).value().dim(1);
    float[] t = WeightLayouts.columnsToTflite(codes(m), rows, cols, w.from(), w.n());
    byte[] q = new byte[t.length];
    for (int i = 0; i < t.length; i++) q[i] = (byte) t[i];
    String what = m == Matrix.KERNEL ? "/kernel" : "/recurrent";
    QuantParams p = QuantParams.perTensor(weightScale(m), 0);
    return b.addTensor(
        new TensorSpec(name + what + "_" + w.from(), new int[] {w.n(), rows}, DType.INT8, p, q));
  }

  /** int32 codes with scale s_in·s_w (C rounding, as a Dense's bias). */
  @Override
  int newBias(String role, int in, Cols w, float[] bias) {
    float s = b.tensor(in).quant().scale() * weightScale(w.matrix());
    int[] q = new int[bias.length];
    for (int i = 0; i < q.length; i++) q[i] = Int8Weighted.biasCode(bias[i], s);
    QuantParams p = QuantParams.perTensor(s, 0);
    return b.addTensor(
        new TensorSpec(name + "/" + role + "_bias", new int[] {q.length}, DType.INT32, p, q));
  }

  /** {@code v} > 0 stored as 127 with scale v/127 (exact). */
  @Override
  int scalar(String suffix, float v) {
    QuantParams p = QuantParams.perTensor(v / 127f, 0);
    return b.addTensor(
        new TensorSpec(name + suffix, new int[] {1}, DType.INT8, p, new byte[] {127}));
  }

  @Override
  int one(String role) {
    QuantParams q = params(role);
    long code = Math.min(127, Math.round(1.0 / q.scale()) + q.zeroPoint());
    return b.addTensor(
        new TensorSpec(
            name + prefix + role + "_1", new int[] {1}, DType.INT8, q, new byte[] {(byte) code}));
  }

  @Override
  public Integer zeros(String role, int width) {
    QuantParams q = params(role);
    byte[] z = new byte[width];
    Arrays.fill(z, (byte) q.zeroPoint());
    return b.addTensor(
        new TensorSpec(name + "/" + role + "0", new int[] {1, width}, DType.INT8, q, z));
  }

  @Override
  void bind(int t) {
    x.bind(n, t);
  }

  @Override
  int output(String role) {
    return x.act(n, params(role));
  }
}
