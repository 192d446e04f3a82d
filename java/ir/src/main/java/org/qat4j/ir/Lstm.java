package org.qat4j.ir;

/**
 * The input slots of UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's numbering, 24 inputs): the sequence,
 * four input and four recurrent weight matrices ([cells, inputs] and [cells, outputs]; gate order
 * input, forget, cell, output), three peephole vectors, four gate biases, the projection weights
 * ([outputs, cells]) and bias, the output and cell state (variable tensors), four layer-norm
 * vectors. The input gate's tensors missing make a CIFG LSTM.
 */
public final class Lstm {
  public static final int INPUT = 0;
  public static final int INPUT_WEIGHTS = 1;
  public static final int RECURRENT_WEIGHTS = 5;
  public static final int PEEPHOLE = 9;
  public static final int BIAS = 12;
  public static final int PROJECTION_WEIGHTS = 16;
  public static final int PROJECTION_BIAS = 17;
  public static final int OUTPUT_STATE = 18;
  public static final int CELL_STATE = 19;
  public static final int LAYER_NORM = 20;

  /** Inputs of the current format (20 in the deprecated one without layer norm). */
  public static final int INPUTS = 24;

  /** Gate order of every group of four: input, forget, cell, output. */
  public static final int GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3;

  private Lstm() {}

  /** Whether slot {@code k} may be omitted (-1). */
  static boolean optional(int k) {
    return k == INPUT_WEIGHTS
        || k == RECURRENT_WEIGHTS
        || (k >= PEEPHOLE && k <= BIAS)
        || k == PROJECTION_WEIGHTS
        || k == PROJECTION_BIAS
        || k >= LAYER_NORM;
  }
}
