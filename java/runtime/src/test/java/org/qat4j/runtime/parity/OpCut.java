package org.qat4j.runtime.parity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/** Test helper: one operator of a lowered graph as a graph of its own, for per-layer comparison. */
public final class OpCut {
  private OpCut() {}

  /**
   * A graph holding only op {@code o}: its constant inputs stay constants, the others become graph
   * inputs.
   */
  public static LoweredGraph cut(LoweredGraph g, int o) {
    OpSpec op = g.ops().get(o);
    Map<Integer, Integer> map = new LinkedHashMap<>();
    List<TensorSpec> ts = new ArrayList<>();
    List<Integer> ins = new ArrayList<>();
    int[] newIn = new int[op.inputs().length];
    for (int k = 0; k < newIn.length; k++) {
      int t = op.inputs()[k];
      if (t < 0) {
        newIn[k] = t;
        continue;
      }
      newIn[k] =
          map.computeIfAbsent(
              t,
              x -> {
                ts.add(g.tensor(x));
                return ts.size() - 1;
              });
      if (!g.tensor(t).isConstant() && !op.kind().stateInput(k) && !ins.contains(newIn[k]))
        ins.add(newIn[k]);
    }
    int[] newOut = new int[op.outputs().length];
    for (int k = 0; k < newOut.length; k++) {
      ts.add(g.tensor(op.outputs()[k]));
      newOut[k] = ts.size() - 1;
    }
    OpSpec cutOp = new OpSpec(op.kind(), newIn, newOut, options(g, op, ts));
    return new LoweredGraph(
        g.name() + "_op" + o,
        ts,
        List.of(cutOp),
        ins.stream().mapToInt(Integer::intValue).toArray(),
        newOut,
        g.metadata(),
        "");
  }

  /** The op's options, an LSTM's intermediates copied into the cut graph. */
  private static OpOptions options(LoweredGraph g, OpSpec op, List<TensorSpec> ts) {
    if (!(op.options() instanceof OpOptions.SequenceLstm l)) return op.options();
    List<Integer> inter = new ArrayList<>();
    for (int t : l.intermediates()) {
      ts.add(g.tensor(t));
      inter.add(ts.size() - 1);
    }
    return new OpOptions.SequenceLstm(
        l.activationCode(),
        l.cellClip(),
        l.projClip(),
        l.timeMajor(),
        l.asymmetricQuantizeInputs(),
        l.diagonalRecurrentTensors(),
        inter);
  }
}
