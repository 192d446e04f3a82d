package org.qat4j.runtime.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.Lstm;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random one-op int8 UNIDIRECTIONAL_SEQUENCE_LSTM graphs laid out as Google's converter writes
 * them: int8 sequence, weights and output state, int32 biases, an int16 cell state with a
 * power-of-two scale, four unquantized FLOAT32 intermediates and the int8 hidden-state one. Random
 * batch, time, input, cells, layout (batch- or time-major), CIFG, projection (with or without bias)
 * and clips, and random scales and zero points everywhere.
 */
final class LstmGraphs {
  private final SplittableRandom r;
  private final LoweredGraphBuilder b = new LoweredGraphBuilder("UNIDIRECTIONAL_SEQUENCE_LSTM");
  private final StringBuilder desc = new StringBuilder();

  private LstmGraphs(SplittableRandom r) {
    this.r = r;
  }

  static OpGraphs.Case create(SplittableRandom r) {
    return new LstmGraphs(r).build();
  }

  private float scale(float lo, float hi) {
    return lo + (hi - lo) * (float) r.nextDouble();
  }

  private QuantParams q8() {
    return QuantParams.perTensor(scale(0.004f, 0.06f), r.nextInt(256) - 128);
  }

  private int act(String name, int[] shape, DType t, QuantParams q) {
    return b.addTensor(TensorSpec.activation(name, shape, t, q));
  }

  private int weights(String name, int rows, int cols) {
    byte[] w = new byte[rows * cols];
    for (int i = 0; i < w.length; i++) w[i] = (byte) (r.nextInt(255) - 127);
    QuantParams q = QuantParams.perTensor(scale(0.002f, 0.03f), 0);
    return b.addTensor(new TensorSpec(name, new int[] {rows, cols}, DType.INT8, q, w));
  }

  private int bias(String name, int n, int range) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) v[i] = r.nextInt(2 * range + 1) - range;
    return b.addTensor(
        new TensorSpec(name, new int[] {n}, DType.INT32, QuantParams.perTensor(1e-5f, 0), v));
  }

  /** As the converter writes them: four unquantized FLOAT32 gate tensors, the int8 hidden one. */
  private List<Integer> intermediates() {
    List<Integer> inter = new ArrayList<>();
    for (int k = 0; k < 4; k++) inter.add(act("gate" + k, new int[] {0}, DType.FLOAT32, null));
    inter.add(act("hidden", new int[] {0}, DType.INT8, q8()));
    return inter;
  }

  /** The int16 cell state, scale 2^-15 … 2^-9 (what TFLite's integer tanh handles). */
  private int cellState(int batch, int cells) {
    int cellLog2 = -15 + r.nextInt(7);
    desc.append(" cell2^").append(cellLog2);
    QuantParams qc = QuantParams.perTensor((float) Math.pow(2, cellLog2), 0);
    return act("c", new int[] {batch, cells}, DType.INT16, qc);
  }

  private OpGraphs.Case build() {
    int batch = 1 + r.nextInt(3), time = 1 + r.nextInt(5), nIn = 1 + r.nextInt(8);
    int cells = 1 + r.nextInt(8);
    boolean cifg = r.nextInt(3) == 0, projection = r.nextBoolean(), timeMajor = r.nextBoolean();
    int nOut = projection ? 1 + r.nextInt(8) : cells;
    desc.append(String.format("b%d t%d in%d cells%d out%d", batch, time, nIn, cells, nOut));
    desc.append(cifg ? " cifg" : "")
        .append(projection ? " proj" : "")
        .append(timeMajor ? " tm" : "");
    QuantParams qx = q8(), qh = q8();
    int[] seq = timeMajor ? new int[] {time, batch, nIn} : new int[] {batch, time, nIn};
    int x = act("x", seq, DType.INT8, qx);
    int[] in = new int[Lstm.INPUTS];
    Arrays.fill(in, -1);
    in[Lstm.INPUT] = x;
    for (int g = cifg ? 1 : 0; g < 4; g++) {
      in[Lstm.INPUT_WEIGHTS + g] = weights("wx" + g, cells, nIn);
      in[Lstm.RECURRENT_WEIGHTS + g] = weights("wh" + g, cells, nOut);
      in[Lstm.BIAS + g] = bias("b" + g, cells, 4000);
    }
    if (projection) {
      in[Lstm.PROJECTION_WEIGHTS] = weights("wp", nOut, cells);
      if (r.nextBoolean()) in[Lstm.PROJECTION_BIAS] = bias("bp", nOut, 400);
    }
    in[Lstm.OUTPUT_STATE] = act("h", new int[] {batch, nOut}, DType.INT8, qh);
    in[Lstm.CELL_STATE] = cellState(batch, cells);
    List<Integer> inter = intermediates();
    int[] out = timeMajor ? new int[] {time, batch, nOut} : new int[] {batch, time, nOut};
    int y = act("y", out, DType.INT8, qh);
    float cellClip = r.nextBoolean() ? 0f : scale(0.5f, 12f);
    float projClip = projection && r.nextBoolean() ? scale(0.05f, 3f) : 0f;
    b.addOp(
        OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM,
        in,
        new int[] {y},
        new OpOptions.SequenceLstm(4, cellClip, projClip, timeMajor, false, false, inter));
    b.setInputs(x).setOutputs(y);
    return new OpGraphs.Case(b.build(), -1, 1, desc.toString(), false);
  }
}
