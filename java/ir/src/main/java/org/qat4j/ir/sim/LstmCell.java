package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.Lstm;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * One time step of the integer LSTM for one batch row, with everything TFLite's Prepare derives:
 * per-product multipliers from float32 effective scales (the gates are Q3.12), zero-point terms
 * folded into int32 biases, the cell scale's log2, the quantized clips. Immutable after {@link
 * #prepare}; {@link #step} allocates its own int16 scratch so concurrent frames do not share state.
 */
final class LstmCell {
  private static final float GATE_SCALE = 1f / 4096; // Q3.12

  final int nInput, nCell, nOutput;
  private final boolean cifg;

  /**
   * Per gate (input, forget, cell, output): weights and folded biases, null for a CIFG input gate.
   */
  private final int[][] wx = new int[4][], wh = new int[4][], bx = new int[4][], bh = new int[4][];

  private final int[][] mx = new int[4][], mh = new int[4][];
  private final int cellScale, cellClip, hiddenZp, stateZp, projClip;

  /**
   * How the hidden state's zero point enters its int8 value, measured against TFLite 2.20 (x86):
   * subtracted before a projection (whose folded bias adds it back), added when the hidden state is
   * the output state.
   */
  private final int hiddenSign;

  private final int[] hiddenMul, projMul;
  private final int[] wp, bp;

  private LstmCell(LoweredGraph g, OpSpec op, Object[] consts, TensorSpec hidden) {
    int[] in = op.inputs();
    TensorSpec x = g.tensor(in[Lstm.INPUT]), h = g.tensor(in[Lstm.OUTPUT_STATE]);
    TensorSpec c = g.tensor(in[Lstm.CELL_STATE]), y = g.tensor(op.outputs()[0]);
    check(x, DType.INT8, "sequence");
    check(y, DType.INT8, "output");
    check(c, DType.INT16, "cell state");
    check(h, DType.INT8, "output state");
    TensorSpec wo = g.tensor(in[Lstm.INPUT_WEIGHTS + Lstm.GATE_OUTPUT]);
    TensorSpec ro = g.tensor(in[Lstm.RECURRENT_WEIGHTS + Lstm.GATE_OUTPUT]);
    if (wo.shape().length != 2 || ro.shape().length != 2)
      throw new IllegalArgumentException("input and recurrent weights must be 2-D");
    nCell = wo.shape()[0];
    nInput = wo.shape()[1];
    nOutput = ro.shape()[1];
    cifg = in[Lstm.INPUT_WEIGHTS] < 0;
    float sx = x.quant().scale(), sh = h.quant().scale();
    int zx = (int) x.quant().zeroPoint();
    stateZp = (int) h.quant().zeroPoint();
    for (int gate = cifg ? 1 : 0; gate < 4; gate++) prepareGate(g, in, consts, gate, sx, sh, zx);
    cellScale = log2(c.quant().scale());
    OpOptions.SequenceLstm o = op.options(OpOptions.SequenceLstm.class);
    float sHidden = hidden.quant().scale();
    hiddenZp = (int) hidden.quant().zeroPoint();
    hiddenMul = mul((float) (Math.pow(2, -15) / sHidden * Math.pow(2, -15)));
    cellClip = o.cellClip() > 0 ? clip(o.cellClip() / c.quant().scale(), 32767) : 0;
    projClip = o.projClip() > 0 ? clip(o.projClip() / y.quant().scale(), 127) : 0;
    int p = in.length > Lstm.PROJECTION_WEIGHTS ? in[Lstm.PROJECTION_WEIGHTS] : -1;
    hiddenSign = p >= 0 ? -1 : 1;
    if (p >= 0) {
      wp = weights(g, consts, p, nOutput, nCell);
      bp = fold(wp, nCell, hiddenZp, bias(g, consts, in[Lstm.PROJECTION_BIAS], nOutput));
      projMul = mul(scale(g, p) * sHidden / sh);
    } else {
      if (nOutput != nCell)
        throw new IllegalArgumentException(
            "without projection the output size " + nOutput + " must equal the cells " + nCell);
      wp = bp = projMul = null;
    }
  }

  /** Gate {@code k}'s weights, zero-point-folded biases and multipliers (products in float32). */
  private void prepareGate(
      LoweredGraph g, int[] in, Object[] consts, int k, float sx, float sh, int zx) {
    wx[k] = weights(g, consts, in[Lstm.INPUT_WEIGHTS + k], nCell, nInput);
    wh[k] = weights(g, consts, in[Lstm.RECURRENT_WEIGHTS + k], nCell, nOutput);
    bx[k] = fold(wx[k], nInput, -zx, bias(g, consts, in[Lstm.BIAS + k], nCell));
    bh[k] = fold(wh[k], nOutput, -stateZp, null);
    mx[k] = mul(scale(g, in[Lstm.INPUT_WEIGHTS + k]) * sx / GATE_SCALE);
    mh[k] = mul(scale(g, in[Lstm.RECURRENT_WEIGHTS + k]) * sh / GATE_SCALE);
  }

  static LstmCell prepare(LoweredGraph g, OpSpec op, Object[] consts, TensorSpec hidden) {
    return new LstmCell(g, op, consts, hidden);
  }

  private static void check(TensorSpec t, DType type, String what) {
    if (t.type() != type || t.quant() == null || t.quant().perAxis())
      throw new IllegalArgumentException(
          what + " '" + t.name() + "' must be " + type + " per-tensor quantized, is " + t.type());
  }

  private static int[] weights(LoweredGraph g, Object[] consts, int i, int rows, int cols) {
    TensorSpec t = g.tensor(i);
    if (t.type() != DType.INT8 || !(consts[i] instanceof int[] w) || w.length != rows * cols)
      throw new IllegalArgumentException(
          "weights '" + t.name() + "' must be constant INT8 [" + rows + ", " + cols + "]");
    if (t.quant() == null || t.quant().perAxis())
      throw new IllegalArgumentException("weights '" + t.name() + "' must be per-tensor");
    return w;
  }

  private static float scale(LoweredGraph g, int i) {
    return g.tensor(i).quant().scale();
  }

  private static int[] bias(LoweredGraph g, Object[] consts, int i, int n) {
    if (i < 0) return null;
    if (g.tensor(i).type() != DType.INT32 || !(consts[i] instanceof int[] b) || b.length != n)
      throw new IllegalArgumentException(
          "bias '" + g.tensor(i).name() + "' must be constant INT32 [" + n + "]");
    return b;
  }

  /** bias + zp·Σ row, wrapping as TFLite's int32 arithmetic does. */
  private static int[] fold(int[] w, int cols, int zp, int[] bias) {
    int rows = w.length / cols;
    int[] r = new int[rows];
    for (int i = 0; i < rows; i++) {
      int sum = 0;
      for (int j = 0; j < cols; j++) sum += w[i * cols + j];
      r[i] = (bias == null ? 0 : bias[i]) + sum * zp;
    }
    return r;
  }

  /** QuantizeMultiplier of a float32 effective scale, widened to double. */
  private static int[] mul(float effective) {
    return QuantMath.quantizeMultiplier(effective);
  }

  /** TFLite's CheckedLog2 on the cell-state scale; the kernel handles 2^-15 … 2^-9. */
  private static int log2(float scale) {
    float l = (float) Math.log(scale) * (float) (1 / Math.log(2));
    float r = QuantMath.cRound(l);
    if (Math.abs(l - r) >= 1e-3f || r < -15 || r > -9)
      throw new IllegalArgumentException(
          "cell-state scale " + scale + " must be a power of two in [2^-15, 2^-9]");
    return (int) r;
  }

  /** A clip converted to the tensor's units, clamped and truncated as TFLite casts it. */
  private static int clip(float v, int max) {
    return (int) Math.min(Math.max(v, -max - 1f), (float) max);
  }

  /**
   * Runs one step: reads x at {@code xOff}, updates row {@code b} of the states, writes the new
   * output state at {@code yOff}.
   */
  void step(int[] x, int xOff, int[] h, int[] c, int b, int[] y, int yOff) {
    int hOff = b * nOutput, cOff = b * nCell;
    int[][] gate = new int[4][];
    for (int k = cifg ? 1 : 0; k < 4; k++) {
      if (k == Lstm.GATE_OUTPUT) updateCell(gate, c, cOff);
      gate[k] = gateValues(k, x, xOff, h, hOff);
    }
    int[] hidden = new int[nCell];
    int[] out = gate[Lstm.GATE_OUTPUT];
    for (int i = 0; i < nCell; i++) {
      int t = Fixed16.tanh((short) c[cOff + i], 15 + cellScale);
      int v = QuantMath.mbqmDouble(out[i] * t, hiddenMul[0], hiddenMul[1]) + hiddenSign * hiddenZp;
      hidden[i] = QuantMath.clamp(v, -128, 127);
    }
    if (wp == null) System.arraycopy(hidden, 0, h, hOff, nOutput);
    else project(hidden, h, hOff);
    System.arraycopy(h, hOff, y, yOff, nOutput);
  }

  /** Both matrix products (each rescaled, then saturated to int16) and the gate's activation. */
  private int[] gateValues(int k, int[] x, int xOff, int[] h, int hOff) {
    int[] gv = new int[nCell];
    for (int i = 0; i < nCell; i++) {
      int ax = bx[k][i], ah = bh[k][i];
      for (int j = 0; j < nInput; j++) ax += x[xOff + j] * wx[k][i * nInput + j];
      for (int j = 0; j < nOutput; j++) ah += h[hOff + j] * wh[k][i * nOutput + j];
      int v = LstmKernels.sat16(QuantMath.mbqmDouble(ax, mx[k][0], mx[k][1]));
      v = LstmKernels.sat16(QuantMath.mbqmDouble(ah, mh[k][0], mh[k][1]) + v);
      gv[i] = k == Lstm.GATE_CELL ? Fixed16.tanh((short) v, 3) : Fixed16.logistic((short) v, 3);
    }
    return gv;
  }

  /** c = f·c/2^15 + i·g/2^(30+cellScale) (i = 1 − f for CIFG), saturated, then clipped. */
  private void updateCell(int[][] gate, int[] c, int cOff) {
    int[] f = gate[Lstm.GATE_FORGET], g = gate[Lstm.GATE_CELL];
    for (int i = 0; i < nCell; i++) {
      int kept = (short) Fixed16.rdbpot(f[i] * c[cOff + i], 15);
      int in = cifg ? Short.MAX_VALUE - f[i] : gate[Lstm.GATE_INPUT][i];
      int added = (short) Fixed16.rdbpot((short) in * g[i], 30 + cellScale);
      int v = LstmKernels.sat16(kept + added);
      if (cellClip > 0) v = QuantMath.clamp(v, -cellClip, cellClip);
      c[cOff + i] = v;
    }
  }

  /** The int8 projection of the hidden state onto the output state, then its clip. */
  private void project(int[] hidden, int[] h, int hOff) {
    for (int r = 0; r < nOutput; r++) {
      int acc = bp[r];
      for (int j = 0; j < nCell; j++) acc += hidden[j] * wp[r * nCell + j];
      int v =
          QuantMath.clamp(QuantMath.mbqmDouble(acc, projMul[0], projMul[1]) + stateZp, -128, 127);
      if (projClip > 0) v = QuantMath.clamp(v, -projClip, projClip);
      h[hOff + r] = v;
    }
  }
}
