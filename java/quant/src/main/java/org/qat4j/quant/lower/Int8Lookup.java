package org.qat4j.quant.lower;

import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Embedding;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * The int8 lookup table (Embedding): GATHER of the int8 table [V, D] (per-tensor, zero point 0, the
 * codes of the fake-quantized table) at the INT32 indices of a model input; the output [1, T, D]
 * keeps the table's params, as TFLite's int8 GATHER requires.
 */
final class Int8Lookup {
  private Int8Lookup() {}

  /** True when model input {@code in} holds indices: every consumer is a quantized table. */
  static boolean isIndexInput(Model m, Node in) {
    if (m.consumers(in).isEmpty()) return false;
    for (Node c : m.consumers(in))
      if (!(c.layer() instanceof QuantizeWrapper w && w.inner() instanceof Embedding)) return false;
    return true;
  }

  /** The INT32 graph input of an index input (whatever the model's I/O type). */
  static int indexInput(Int8Lowering x, Node n) {
    int[] shape = FloatLowering.batch1(n.shape());
    return x.b.addTensor(TensorSpec.activation(n.name(), shape, DType.INT32, null));
  }

  static void embedding(Int8Lowering x, Node n, QuantizeWrapper w, Embedding e) {
    String table = e.embeddings().name();
    FakeQuantizer q = w.weightQuantizers().get(table);
    FakeQuant.Nudged[] grids = q.grids();
    float scale = grids[0].zero() ? 1f : grids[0].scale();
    byte[] codes =
        Int8Checks.quantizeKernel(
            w.latent(table).value().toArray(), grids, false, new float[] {scale}, 1);
    QuantParams p = QuantParams.perTensor(scale, 0);
    int t =
        x.b.addTensor(
            new TensorSpec(
                n.name() + "/embeddings",
                new int[] {e.inputDim(), e.outputDim()},
                DType.INT8,
                p,
                codes));
    x.b.addOp(
        OpKind.GATHER,
        new int[] {t, x.in(n, 0)},
        new int[] {x.act(n, p)},
        new OpOptions.Gather(0, 0));
  }
}
