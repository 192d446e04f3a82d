package org.qat4j.verify;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.sim.Simulator;

/**
 * Per-layer SQNR: each simulated per-tensor int8 activation named after a node of the QAT model is
 * dequantized and compared with that node's float activation (the QAT model with fake-quant off,
 * whose node names are the lowered tensor names).
 */
final class Sqnr {
  private Sqnr() {}

  static List<Verification.LayerSqnr> perLayer(
      LoweredGraph g, Model floatView, Object[] inputs, MultiDataset data, int samples) {
    int tensors = g.tensors().size();
    String[] node = new String[tensors];
    for (int t = 0; t < tensors; t++) node[t] = nodeOf(g, t, floatView);
    double[] signal = new double[tensors], noise = new double[tensors];
    Simulator sim = new Simulator(g);
    for (int i = 0; i < samples; i++) {
      Object[] x = new Object[inputs.length];
      Tensor[] xs = new Tensor[inputs.length];
      for (int k = 0; k < inputs.length; k++) {
        int per = g.tensor(g.inputs()[k]).elements();
        x[k] = Runs.sample(inputs[k], i, per);
        xs[k] = Tensor.of(data.sample(k, i), Shapes.withBatch(1, data.sampleShape(k)));
      }
      Object[] all = sim.runAll(x);
      floatView.forward(xs, ExecContext.inference());
      for (int t = 0; t < tensors; t++) {
        if (node[t] == null) continue;
        Tensor ref = floatView.activation(node[t]);
        if (ref == null || ref.size() != g.tensor(t).elements()) continue;
        float[] deq = Simulator.toFloat(g.tensor(t), all[t]);
        for (int e = 0; e < deq.length; e++) {
          double r = ref.get(e);
          signal[t] += r * r;
          noise[t] += (r - deq[e]) * (r - deq[e]);
        }
      }
    }
    List<Verification.LayerSqnr> out = new ArrayList<>();
    for (int t = 0; t < tensors; t++) {
      if (node[t] == null || samples == 0) continue;
      double db = noise[t] == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal[t] / noise[t]);
      out.add(new Verification.LayerSqnr(g.tensor(t).name(), db));
    }
    return out;
  }

  /**
   * The node whose float activation tensor t holds, or null; a fused ReLU/ReLU6 moves to the
   * consumer node.
   */
  private static String nodeOf(LoweredGraph g, int t, Model m) {
    TensorSpec s = g.tensor(t);
    if (s.isConstant() || s.type() != DType.INT8 || s.quant() == null || s.quant().perAxis())
      return null;
    Node n;
    try {
      n = m.node(s.name());
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (OpSpec op : g.ops()) {
      if (op.outputs()[0] != t || op.options().activation() == FusedActivation.NONE) continue;
      List<Node> next = m.consumers(n);
      if (next.size() == 1 && next.get(0).layer().type().startsWith("ReLU"))
        return next.get(0).name();
    }
    return n.name();
  }
}
