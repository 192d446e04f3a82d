package org.qat4j.ir;

/**
 * Operators a lowered graph may contain, with their TFLite builtin codes. Each constant states
 * whether it is weighted (input 1 a constant kernel, input 2 an optional bias); its options record
 * is decided by a switch without {@code default}, so a new constant fails the build until answered.
 */
public enum OpKind {
  ADD(0),
  AVERAGE_POOL_2D(1),
  CONCATENATION(2),
  CONV_2D(3, true),
  DEPTHWISE_CONV_2D(4, true),
  DEQUANTIZE(6),
  FULLY_CONNECTED(9, true),
  LOGISTIC(14),
  MAX_POOL_2D(17),
  MUL(18),
  RELU(19),
  RELU6(21),
  RESHAPE(22),
  SOFTMAX(25),
  PAD(34),
  MEAN(40),
  QUANTIZE(114),
  HARD_SWISH(117),
  SUB(41),
  CAST(53),
  ARG_MAX(56),
  ARG_MIN(79),
  RESIZE_BILINEAR(23),
  RESIZE_NEAREST_NEIGHBOR(97),
  MAXIMUM(55),
  MINIMUM(57),
  TANH(28),
  LEAKY_RELU(98),
  PRELU(54),
  PADV2(60),
  TRANSPOSE(39),
  SLICE(65),
  STRIDED_SLICE(45),
  SPLIT(49),
  SPLIT_V(102),
  PACK(83),
  UNPACK(88),
  TILE(69),
  GATHER(36),
  SUM(74),
  REDUCE_MAX(82),
  SQUARED_DIFFERENCE(99),
  BATCH_MATMUL(126),
  UNIDIRECTIONAL_SEQUENCE_LSTM(44),
  L2_NORMALIZATION(11),
  ELU(111),
  TRANSPOSE_CONV(67),
  GELU(150);

  private final int builtinCode;
  private final boolean weighted;

  OpKind(int builtinCode) {
    this(builtinCode, false);
  }

  OpKind(int builtinCode, boolean weighted) {
    this.builtinCode = builtinCode;
    this.weighted = weighted;
  }

  public int builtinCode() {
    return builtinCode;
  }

  /** The kind with TFLite builtin code {@code code}, or null when the IR has no such operator. */
  public static OpKind fromBuiltin(int code) {
    for (OpKind k : values()) if (k.builtinCode == code) return k;
    return null;
  }

  /**
   * The options this operator takes, with TFLite's defaults; {@link OpSpec} accepts only this
   * record type.
   */
  public OpOptions defaultOptions() {
    return switch (this) {
      case CONV_2D -> OpOptions.Conv.DEFAULT;
      case DEPTHWISE_CONV_2D -> OpOptions.Depthwise.DEFAULT;
      case AVERAGE_POOL_2D, MAX_POOL_2D -> OpOptions.Pool.DEFAULT;
      case FULLY_CONNECTED -> OpOptions.FullyConnected.DEFAULT;
      case ADD, MUL, SUB -> OpOptions.Activated.DEFAULT;
      case CONCATENATION -> OpOptions.Concat.DEFAULT;
      case SOFTMAX -> OpOptions.Softmax.DEFAULT;
      case MEAN -> OpOptions.Reducer.DEFAULT;
      case RESHAPE -> OpOptions.Reshape.DEFAULT;
      case DEQUANTIZE, LOGISTIC, RELU, RELU6, PAD, QUANTIZE, HARD_SWISH -> OpOptions.None.DEFAULT;
      case CAST -> OpOptions.None.DEFAULT;
      case ARG_MAX, ARG_MIN -> OpOptions.ArgMinMax.DEFAULT;
      case RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR -> OpOptions.Resize.DEFAULT;
      case MAXIMUM, MINIMUM, TANH, PRELU, PADV2 -> OpOptions.None.DEFAULT;
      case SQUARED_DIFFERENCE -> OpOptions.None.DEFAULT;
      case LEAKY_RELU -> OpOptions.LeakyRelu.DEFAULT;
      case TRANSPOSE, SLICE, TILE -> OpOptions.None.DEFAULT;
      case STRIDED_SLICE -> OpOptions.StridedSlice.DEFAULT;
      case SPLIT -> OpOptions.Split.DEFAULT;
      case SPLIT_V -> OpOptions.SplitV.DEFAULT;
      case PACK -> OpOptions.Pack.DEFAULT;
      case UNPACK -> OpOptions.Unpack.DEFAULT;
      case GATHER -> OpOptions.Gather.DEFAULT;
      case SUM, REDUCE_MAX -> OpOptions.Reducer.DEFAULT;
      case BATCH_MATMUL -> OpOptions.BatchMatMul.DEFAULT;
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> OpOptions.SequenceLstm.DEFAULT;
      case L2_NORMALIZATION -> OpOptions.Activated.DEFAULT;
      case ELU -> OpOptions.None.DEFAULT;
      case TRANSPOSE_CONV -> OpOptions.TransposeConv.DEFAULT;
      case GELU -> OpOptions.Gelu.DEFAULT;
    };
  }

  /** Whether {@code o} is the options record of this operator. */
  public boolean accepts(OpOptions o) {
    return o != null && o.getClass() == defaultOptions().getClass();
  }

  /** Whether input 1 is a constant weight tensor and input 2 a bias (which may be omitted, -1). */
  public boolean weighted() {
    return weighted;
  }

  /**
   * Whether one op of this kind writes several outputs (SPLIT, SPLIT_V, UNPACK); every other kind
   * writes exactly one.
   */
  public boolean multiOutput() {
    return this == SPLIT || this == SPLIT_V || this == UNPACK;
  }

  /**
   * Whether input {@code k} may be omitted (-1): a weighted op's bias, RESHAPE's shape,
   * TRANSPOSE_CONV's bias (input 3: its inputs are output shape, weights, data, bias), or one of
   * UNIDIRECTIONAL_SEQUENCE_LSTM's optional tensors (input gate, peephole, projection, layer norm).
   */
  public boolean optionalInput(int k) {
    if (this == UNIDIRECTIONAL_SEQUENCE_LSTM) return Lstm.optional(k);
    if (this == TRANSPOSE_CONV) return k == 3;
    return weighted() ? k == 2 : this == RESHAPE && k == 1;
  }

  /**
   * Whether input {@code k} is a state tensor TFLite keeps between invocations (a variable tensor:
   * no producer, no data, zero-initialised): UNIDIRECTIONAL_SEQUENCE_LSTM's output and cell state.
   */
  public boolean stateInput(int k) {
    return this == UNIDIRECTIONAL_SEQUENCE_LSTM && (k == Lstm.OUTPUT_STATE || k == Lstm.CELL_STATE);
  }
}
