package org.qat4j.quant.lower;

import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Embedding;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.RecurrentCells;

/**
 * Float lowering of the sequence layers (batch 1) through existing operators: Embedding as CAST +
 * GATHER; LSTM and GRU unrolled over their T steps by {@link RecurrentCells} into {@link
 * CellEmitter}'s operators, float32 tensors and weights.
 */
final class SequenceLowering extends CellEmitter {
  private final FloatLowering x;
  private final FusionPlan.Step s;
  private final Layer layer;

  private SequenceLowering(FloatLowering x, FusionPlan.Step s) {
    super(x.builder(), s.main());
    this.x = x;
    this.s = s;
    this.layer = s.main().layer();
  }

  /** CAST the float indices to INT32, then GATHER rows of the table. */
  static void embedding(FloatLowering x, FusionPlan.Step s, Embedding e) {
    String name = s.main().name();
    int[] shape = FloatLowering.batch1(s.main().inputs().get(0).shape());
    int idx =
        x.builder().addTensor(TensorSpec.activation(name + "/indices", shape, DType.INT32, null));
    x.builder().addOp(OpKind.CAST, new int[] {x.inputOf(s.main(), 0)}, new int[] {idx}, null);
    Param t = e.embeddings();
    int table = x.constF(name + "/embeddings", t.value().shape(), t.value().toArray());
    x.builder()
        .addOp(
            OpKind.GATHER,
            new int[] {table, idx},
            new int[] {x.outputOf(s)},
            new OpOptions.Gather(0, 0));
  }

  /** An LSTM or GRU unrolled over its steps. */
  static void recurrent(FloatLowering x, FusionPlan.Step s, Layer l) {
    RecurrentCells.walk(l, new SequenceLowering(x, s));
  }

  @Override
  DType type() {
    return DType.FLOAT32;
  }

  @Override
  QuantParams params(String role) {
    return null;
  }

  @Override
  int input() {
    return x.inputOf(n, 0);
  }

  @Override
  int newWeight(Cols w) {
    Param p = layer.params().get(w.matrix() == Matrix.KERNEL ? 0 : 1);
    int rows = p.value().dim(0), cols = p.value().dim(1);
    float[] t = WeightLayouts.columnsToTflite(p.value().toArray(), rows, cols, w.from(), w.n());
    String what = w.matrix() == Matrix.KERNEL ? "/kernel" : "/recurrent";
    return x.constF(name + what + "_" + w.from(), new int[] {w.n(), rows}, t);
  }

  @Override
  int newBias(String role, int in, Cols w, float[] bias) {
    return x.constF(name + "/" + role + "_bias", new int[] {w.n()}, bias);
  }

  @Override
  int scalar(String suffix, float v) {
    return x.constF(name + suffix, new int[] {}, new float[] {v});
  }

  @Override
  int one(String role) {
    return scalar(prefix + role + "_1", 1f);
  }

  @Override
  public Integer zeros(String role, int width) {
    return x.constF(name + "/" + role + "0", new int[] {1, width}, new float[width]);
  }

  @Override
  void bind(int t) {
    x.bind(s, t);
  }

  @Override
  int output(String role) {
    return x.outputOf(s);
  }
}
