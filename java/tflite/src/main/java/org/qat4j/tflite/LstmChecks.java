package org.qat4j.tflite;

import java.util.List;
import org.qat4j.ir.DType;
import org.qat4j.ir.Lstm;

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM operands TFLite 2.20 reads without checking, found by reading its
 * kernel: the sequence rank (Prepare reads dimension 2, Eval aborts the process beyond rank 3),
 * each tensor's type against the kernel the sequence type selects (an int8 sequence with float
 * weights is read as float, past its buffer), the output size without projection (the state copy
 * reads outputs × batch values from a cells × batch buffer) and the intermediates' indices.
 */
final class LstmChecks {
  private LstmChecks() {}

  static void check(SubgraphInfo s, OperatorInfo op, String w) {
    int[] in = op.inputs();
    if (in.length != Lstm.INPUTS && in.length != 20)
      throw new ModelFormatException(w, "has " + in.length + " inputs, expected 20 or 24");
    TensorInfo x = s.tensor(in[Lstm.INPUT]);
    if (x.shape().length != 3)
      throw new ModelFormatException(
          w + ", input 0", "sequence of rank " + x.shape().length + ", expected 3");
    DType t = x.dtype();
    if (t == DType.INT8) types(s, op, w, DType.INT8, DType.INT32, DType.INT16, DType.INT8);
    else if (t == DType.FLOAT32) {
      DType wt = s.tensor(in[Lstm.INPUT_WEIGHTS + Lstm.GATE_OUTPUT]).dtype();
      if (wt != DType.FLOAT32 && wt != DType.INT8 && wt != DType.UINT8)
        throw new ModelFormatException(w, "weights of type " + wt + " for a FLOAT32 sequence");
      types(s, op, w, wt, DType.FLOAT32, wt == DType.FLOAT32 ? wt : null, DType.FLOAT32);
    } else throw new ModelFormatException(w + ", input 0", "sequence of type " + t);
    int rec = in[Lstm.RECURRENT_WEIGHTS + Lstm.GATE_OUTPUT];
    int[] rs = rec < 0 ? new int[0] : s.tensor(rec).shape();
    boolean projection = in[Lstm.PROJECTION_WEIGHTS] >= 0;
    if (rs.length == 2 && !projection && rs[0] != rs[1])
      throw new ModelFormatException(
          w, "without projection the outputs (" + rs[1] + ") must equal the cells (" + rs[0] + ")");
    if (op.options().get("intermediates") instanceof List<?> l)
      for (Object i : l)
        if ((Integer) i < 0 || (Integer) i >= s.tensors().size())
          throw new ModelFormatException(w, "intermediate tensor " + i + " out of range");
  }

  /**
   * Weights (and the projection) of type {@code weights}, biases {@code bias}, peephole and
   * layer-norm vectors {@code vectors} (null: not checked), the output and its state {@code out},
   * the cell state INT16 for an int8 sequence and {@code out} otherwise.
   */
  private static void types(
      SubgraphInfo s,
      OperatorInfo op,
      String w,
      DType weights,
      DType bias,
      DType vectors,
      DType out) {
    int[] in = op.inputs();
    for (int k = 1; k < in.length; k++) {
      if (in[k] < 0) continue;
      DType want =
          k < Lstm.PEEPHOLE || k == Lstm.PROJECTION_WEIGHTS
              ? weights
              : k < Lstm.BIAS || k >= Lstm.LAYER_NORM
                  ? vectors
                  : k == Lstm.OUTPUT_STATE
                      ? out
                      : k == Lstm.CELL_STATE ? (out == DType.INT8 ? DType.INT16 : out) : bias;
      DType got = s.tensor(in[k]).dtype();
      if (want != null && got != want)
        throw new ModelFormatException(w + ", input " + k, "type " + got + ", expected " + want);
    }
    DType y = s.tensor(op.outputs()[0]).dtype();
    if (y != out) throw new ModelFormatException(w, "output type " + y + ", expected " + out);
  }
}
