package org.qat4j.ir.sim;

import java.util.Arrays;
import java.util.List;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.Lstm;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite 2.20's fully integer kernel computes it (int8 sequence and
 * weights, int32 biases, int16 gates, an int16 cell state with a power-of-two scale, int8 output
 * state): every matrix product rescaled to the Q3.12 gates with its own multiplier, the zero-point
 * terms folded into the biases once, gemmlowp's int16 sigmoid and tanh, the cell update with
 * rounding shifts, the hidden state requantized to the fifth intermediate, an optional projection.
 * The reference (x86) path; each invocation starts from the zero-initialised state, as a fresh
 * interpreter does. Peephole and layer-norm variants (int16 constants) and float or hybrid LSTMs
 * are refused. One class per operator; the arithmetic lives in {@link LstmCell}.
 */
final class LstmKernels {
  private LstmKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] in = op.inputs();
    OpOptions.SequenceLstm o = op.options(OpOptions.SequenceLstm.class);
    refuseVariants(g, in, o);
    LstmCell cell = LstmCell.prepare(g, op, consts, hidden(g, o.intermediates()));
    int out = op.outputs()[0], h = in[Lstm.OUTPUT_STATE], c = in[Lstm.CELL_STATE];
    int[] xs = g.tensor(in[Lstm.INPUT]).shape();
    if (xs.length != 3)
      throw new IllegalArgumentException("sequence must be 3-D, got rank " + xs.length);
    int batches = o.timeMajor() ? xs[1] : xs[0], steps = o.timeMajor() ? xs[0] : xs[1];
    checkSizes(g, op, cell, batches, steps);
    int zpH = (int) g.tensor(h).quant().zeroPoint();
    return v -> {
      int[] hs = (int[]) v[h], cs = (int[]) v[c], xv = (int[]) v[in[Lstm.INPUT]];
      int[] y = (int[]) v[out];
      Arrays.fill(hs, zpH);
      Arrays.fill(cs, 0);
      for (int b = 0; b < batches; b++)
        for (int t = 0; t < steps; t++) {
          int row = o.timeMajor() ? t * batches + b : b * steps + t;
          cell.step(xv, row * cell.nInput, hs, cs, b, y, row * cell.nOutput);
        }
    };
  }

  /** Float, hybrid, peephole, layer-norm and diagonal LSTMs are not simulated. */
  private static void refuseVariants(LoweredGraph g, int[] in, OpOptions.SequenceLstm o) {
    TensorSpec x = g.tensor(in[Lstm.INPUT]);
    if (x.type() != DType.INT8)
      throw new IllegalArgumentException(
          x.type() + " sequence: only the int8 LSTM (int16 cell state) is simulated");
    if (in.length != Lstm.INPUTS && in.length != 20)
      throw new IllegalArgumentException("expects 20 or 24 inputs, got " + in.length);
    for (int k = Lstm.PEEPHOLE; k < Lstm.BIAS; k++)
      if (in[k] >= 0) throw new IllegalArgumentException("peephole LSTMs are not simulated");
    for (int k = Lstm.LAYER_NORM; k < in.length; k++)
      if (in[k] >= 0) throw new IllegalArgumentException("layer-norm LSTMs are not simulated");
    if (o.diagonalRecurrentTensors())
      throw new IllegalArgumentException("diagonal recurrent weights are not simulated");
  }

  /** The sequence, output and state sizes agree with the weights (no read past a buffer). */
  private static void checkSizes(LoweredGraph g, OpSpec op, LstmCell cell, int batches, int steps) {
    int[] in = op.inputs();
    int[] xs = g.tensor(in[Lstm.INPUT]).shape();
    TensorSpec y = g.tensor(op.outputs()[0]);
    int[] ys = y.shape();
    if (xs[2] != cell.nInput || ys.length != 3 || ys[2] != cell.nOutput)
      throw new IllegalArgumentException(
          "sequence " + Arrays.toString(xs) + ", output " + Arrays.toString(ys) + ": wrong sizes");
    if (g.tensor(in[Lstm.OUTPUT_STATE]).elements() != batches * cell.nOutput
        || g.tensor(in[Lstm.CELL_STATE]).elements() != batches * cell.nCell
        || y.elements() != batches * steps * cell.nOutput)
      throw new IllegalArgumentException("state or output sizes do not fit the batch and weights");
  }

  /** The hidden state's quantization: the fifth intermediate, INT8 per-tensor. */
  private static TensorSpec hidden(LoweredGraph g, List<Integer> intermediates) {
    if (intermediates.size() != 5)
      throw new IllegalArgumentException(
          "the int8 LSTM needs 5 intermediates, got " + intermediates.size());
    int i = intermediates.get(4);
    if (i < 0 || i >= g.tensors().size())
      throw new IllegalArgumentException("intermediate tensor " + i + " out of range");
    TensorSpec t = g.tensor(i);
    if (t.quant() == null || t.quant().perAxis())
      throw new IllegalArgumentException(
          "hidden-state intermediate '" + t.name() + "' needs per-tensor quantization");
    return t;
  }

  /** int16 saturation. */
  static int sat16(int v) {
    return QuantMath.clamp(v, Short.MIN_VALUE, Short.MAX_VALUE);
  }
}
