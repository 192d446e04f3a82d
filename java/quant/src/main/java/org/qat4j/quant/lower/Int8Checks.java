package org.qat4j.quant.lower;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Weighted;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.layers.FakeQuantLayer;
import org.qat4j.quant.layers.Kernels;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.layers.QuantizedRecurrent;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/** Pre-flight checks and weight quantization for {@link Int8Lowering}. */
final class Int8Checks {
  private Int8Checks() {}

  /** Every reason the model cannot become a full-int8 graph (empty when it can). */
  static List<String> problems(QatModel qat) {
    List<String> p = new ArrayList<>();
    List<Node> nodes = qat.model().nodes();
    for (Node in : qat.model().inputs()) {
      List<Node> c = qat.model().consumers(in);
      if (Int8Lookup.isIndexInput(qat.model(), in)) continue;
      if (c.size() != 1 || !(c.get(0).layer() instanceof FakeQuantLayer))
        p.add("model input '" + in.name() + "' is not quantized (annotate it)");
    }
    for (Node n : nodes) {
      Layer l = n.layer();
      if (qat.model().inputs().contains(n)) continue;
      if (l instanceof FakeQuantLayer
          || l instanceof ConvBatchNorm
          || l instanceof QuantizeWrapper) {
        for (FakeQuantizer q : quantizers(l)) check(q, n, p, !(l instanceof FakeQuantLayer));
        FakeQuantizer r = qat.rangeOf(n.name());
        if (r == null && !(l instanceof QuantizeWrapper w && isSoftmaxLike(w)))
          p.add("'" + n.name() + "' (" + l.type() + "): output is not quantized");
        else if (r != null && !r.hasRange())
          p.add("'" + n.name() + "': output range never observed (calibrate or train first)");
        if (l instanceof QuantizeWrapper w
            && isWeighted(w)
            && w.weightQuantizers().get(Kernels.kernelParam(w.inner())) == null) {
          p.add("'" + n.name() + "' (" + l.type() + "): kernel is not quantized");
        }
      } else if (l instanceof QuantizedRecurrent r) {
        for (FakeQuantizer q : r.weightQuantizers()) check(q, n, p, true);
        for (FakeQuantizer q : r.roleQuantizers().values()) check(q, n, p, false);
      } else if (!Int8Lowering.passesThrough(l)) {
        p.add("'" + n.name() + "' (" + l.type() + "): float layer in an int8 graph");
      } else if (qat.rangeOf(n.name()) == null) {
        p.add("'" + n.name() + "' (" + l.type() + "): input is not quantized");
      }
    }
    return p;
  }

  private static boolean isSoftmaxLike(QuantizeWrapper w) {
    return w.inner().type().equals("Softmax") || w.inner().type().equals("Sigmoid");
  }

  private static boolean isWeighted(QuantizeWrapper w) {
    return w.inner() instanceof Weighted;
  }

  private static List<FakeQuantizer> quantizers(Layer l) {
    List<FakeQuantizer> q = new ArrayList<>();
    if (l instanceof QuantizeWrapper w) q.addAll(w.weightQuantizers().values());
    if (l instanceof ConvBatchNorm c) q.add(c.weightQuantizer());
    if (l instanceof FakeQuantLayer f) q.add(f.quantizer());
    return q;
  }

  /** {@code weight}: a parameter's quantizer (the others quantize activations). */
  private static void check(FakeQuantizer q, Node n, List<String> p, boolean weight) {
    var r = q.rule();
    if (r.numBits() != 8)
      p.add(
          "'"
              + n.name()
              + "': quantizer '"
              + q.name()
              + "' has "
              + r.numBits()
              + " bits, int8 needs 8");
    if (weight && !(r.symmetric() && r.narrowRange()))
      p.add("'" + n.name() + "': weights must be symmetric narrow-range for int8");
    if (!weight && r.narrowRange())
      p.add("'" + n.name() + "': activations must use the full int8 range");
    if (!q.hasRange())
      p.add(
          "'"
              + n.name()
              + "': quantizer '"
              + q.name()
              + "' has no range (calibrate or train first)");
  }

  /**
   * Fake-quantizes {@code kernel} (core layout, output channel fastest) with {@code grids} exactly
   * as the model does in inference and returns the integer codes (−127..127 for symmetric narrow
   * grids).
   */
  static byte[] quantizeKernel(
      float[] kernel, FakeQuant.Nudged[] grids, boolean perAxis, float[] scales, int channels) {
    byte[] q = new byte[kernel.length];
    for (int i = 0; i < kernel.length; i++) {
      int c = grids.length > 1 ? i % channels : 0;
      FakeQuant.Nudged g = grids[c];
      float v =
          perAxis ? FakeQuant.quantizeInv(kernel[i], g) : FakeQuant.quantizeVars(kernel[i], g);
      int k = (int) Math.rint(v / scales[c]);
      if (k < -127 || k > 127)
        throw new IllegalStateException("weight code " + k + " outside [-127, 127] at index " + i);
      q[i] = (byte) k;
    }
    return q;
  }
}
