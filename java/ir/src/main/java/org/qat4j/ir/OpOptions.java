package org.qat4j.ir;

import java.util.Arrays;
import java.util.List;

/**
 * The options of one operator, one record per options table of the TFLite schema. Each {@link
 * OpKind} names the record it takes ({@link OpKind#optionsType()}); {@link OpSpec} refuses any
 * other. Padding is "SAME" or "VALID"; strides, dilations and windows are (height, width).
 */
public sealed interface OpOptions {
  /** The fused activation, NONE for options without one. */
  default FusedActivation activation() {
    return FusedActivation.NONE;
  }

  /** Options of a sliding-window op (convolutions and pools): padding, strides, dilation. */
  interface Window {
    String padding();

    int strideH();

    int strideW();

    int dilationH();

    int dilationW();
  }

  /** CONV_2D. */
  record Conv(
      String padding,
      int strideH,
      int strideW,
      int dilationH,
      int dilationW,
      FusedActivation activation)
      implements OpOptions, Window {
    public static final Conv DEFAULT = new Conv("VALID", 1, 1, 1, 1, FusedActivation.NONE);

    public Conv withPadding(String p) {
      return new Conv(p, strideH, strideW, dilationH, dilationW, activation);
    }

    public Conv withStrides(int h, int w) {
      return new Conv(padding, h, w, dilationH, dilationW, activation);
    }

    public Conv withDilation(int h, int w) {
      return new Conv(padding, strideH, strideW, h, w, activation);
    }

    public Conv withActivation(FusedActivation a) {
      return new Conv(padding, strideH, strideW, dilationH, dilationW, a);
    }
  }

  /** DEPTHWISE_CONV_2D. */
  record Depthwise(
      String padding,
      int strideH,
      int strideW,
      int dilationH,
      int dilationW,
      int depthMultiplier,
      FusedActivation activation)
      implements OpOptions, Window {
    public static final Depthwise DEFAULT =
        new Depthwise("VALID", 1, 1, 1, 1, 1, FusedActivation.NONE);

    public Depthwise withPadding(String p) {
      return new Depthwise(p, strideH, strideW, dilationH, dilationW, depthMultiplier, activation);
    }

    public Depthwise withStrides(int h, int w) {
      return new Depthwise(padding, h, w, dilationH, dilationW, depthMultiplier, activation);
    }

    public Depthwise withDilation(int h, int w) {
      return new Depthwise(padding, strideH, strideW, h, w, depthMultiplier, activation);
    }

    public Depthwise withDepthMultiplier(int m) {
      return new Depthwise(padding, strideH, strideW, dilationH, dilationW, m, activation);
    }

    public Depthwise withActivation(FusedActivation a) {
      return new Depthwise(padding, strideH, strideW, dilationH, dilationW, depthMultiplier, a);
    }
  }

  /** AVERAGE_POOL_2D and MAX_POOL_2D: window {@code filterH × filterW}. */
  record Pool(
      String padding,
      int strideH,
      int strideW,
      int filterH,
      int filterW,
      FusedActivation activation)
      implements OpOptions, Window {
    public static final Pool DEFAULT = new Pool("VALID", 1, 1, 1, 1, FusedActivation.NONE);

    public Pool withPadding(String p) {
      return new Pool(p, strideH, strideW, filterH, filterW, activation);
    }

    public Pool withStrides(int h, int w) {
      return new Pool(padding, h, w, filterH, filterW, activation);
    }

    public Pool withFilter(int h, int w) {
      return new Pool(padding, strideH, strideW, h, w, activation);
    }

    public Pool withActivation(FusedActivation a) {
      return new Pool(padding, strideH, strideW, filterH, filterW, a);
    }

    @Override
    public int dilationH() {
      return 1;
    }

    @Override
    public int dilationW() {
      return 1;
    }
  }

  /** ADD, MUL, SUB: only a fused activation. */
  record Activated(FusedActivation activation) implements OpOptions {
    public static final Activated DEFAULT = new Activated(FusedActivation.NONE);
  }

  /** CONCATENATION along {@code axis} (negative counts from the end). */
  record Concat(int axis, FusedActivation activation) implements OpOptions {
    public static final Concat DEFAULT = new Concat(0, FusedActivation.NONE);
  }

  /** SOFTMAX. */
  record Softmax(float beta) implements OpOptions {
    public static final Softmax DEFAULT = new Softmax(1f);
  }

  /** MEAN, SUM, REDUCE_MAX (axes are the operator's second input). */
  record Reducer(boolean keepDims) implements OpOptions {
    public static final Reducer DEFAULT = new Reducer(false);
  }

  /** RESHAPE: the new shape, or null to write no options (the shape input alone decides). */
  record Reshape(int[] newShape) implements OpOptions {
    public static final Reshape DEFAULT = new Reshape(null);

    public Reshape {
      newShape = newShape == null ? null : newShape.clone();
    }

    @Override
    public int[] newShape() {
      return newShape == null ? null : newShape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reshape r && Arrays.equals(newShape, r.newShape);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(newShape);
    }

    @Override
    public String toString() {
      return "Reshape[newShape=" + Arrays.toString(newShape) + "]";
    }
  }

  /**
   * FULLY_CONNECTED: fused activation, and whether the output keeps the input's leading dimensions
   * (keep_num_dims: [..., in] → [..., units]) instead of flattening them to [rows, units].
   */
  record FullyConnected(FusedActivation activation, boolean keepNumDims) implements OpOptions {
    public static final FullyConnected DEFAULT = new FullyConnected(FusedActivation.NONE, false);
  }

  /**
   * STRIDED_SLICE: bit i of a mask refers to entry i of the begin/end/strides inputs. begin/end
   * masks ignore that bound (full range), ellipsis covers the unnamed dimensions, new_axis inserts
   * a dimension of 1, shrink_axis drops a dimension (taking one element); offset makes end relative
   * to begin.
   */
  record StridedSlice(
      int beginMask,
      int endMask,
      int ellipsisMask,
      int newAxisMask,
      int shrinkAxisMask,
      boolean offset)
      implements OpOptions {
    public static final StridedSlice DEFAULT = new StridedSlice(0, 0, 0, 0, 0, false);
  }

  /** SPLIT into {@code numSplits} equal parts (the axis is the operator's first input). */
  record Split(int numSplits) implements OpOptions {
    public static final Split DEFAULT = new Split(1);
  }

  /** SPLIT_V into {@code numSplits} parts (sizes and axis are the operator's inputs 1 and 2). */
  record SplitV(int numSplits) implements OpOptions {
    public static final SplitV DEFAULT = new SplitV(1);
  }

  /** PACK {@code valuesCount} tensors of equal shape along a new dimension {@code axis}. */
  record Pack(int valuesCount, int axis) implements OpOptions {
    public static final Pack DEFAULT = new Pack(1, 0);
  }

  /** UNPACK dimension {@code axis} (of size {@code num}) into {@code num} tensors. */
  record Unpack(int num, int axis) implements OpOptions {
    public static final Unpack DEFAULT = new Unpack(1, 0);
  }

  /** GATHER slices of input 0 along {@code axis} at the indices of input 1. */
  record Gather(int axis, int batchDims) implements OpOptions {
    public static final Gather DEFAULT = new Gather(0, 0);
  }

  /** BATCH_MATMUL: whether the last two dimensions of the left (x) / right (y) operand swap. */
  record BatchMatMul(boolean adjX, boolean adjY) implements OpOptions {
    public static final BatchMatMul DEFAULT = new BatchMatMul(false, false);
  }

  /** Operators without options. */
  record None() implements OpOptions {
    public static final None DEFAULT = new None();
  }

  /** ARG_MAX and ARG_MIN: the index type written, INT32 or INT64 (the axis is input 1). */
  record ArgMinMax(DType outputType) implements OpOptions {
    public static final ArgMinMax DEFAULT = new ArgMinMax(DType.INT64);
  }

  /**
   * RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: corner alignment and half-pixel centres (the
   * output size is input 1).
   */
  record Resize(boolean alignCorners, boolean halfPixelCenters) implements OpOptions {
    public static final Resize DEFAULT = new Resize(false, false);
  }

  /** LEAKY_RELU: the slope for negative inputs. */
  record LeakyRelu(float alpha) implements OpOptions {
    public static final LeakyRelu DEFAULT = new LeakyRelu(0.2f);
  }

  /**
   * UNIDIRECTIONAL_SEQUENCE_LSTM: the gate activation as its schema code (TANH, 4, in every model
   * seen; the integer kernel always uses tanh), cell and projection clips (0 = none), time-major
   * layout, the hybrid-only asymmetric input flag, diagonal recurrent weights, and the tensor
   * indices of the operator's intermediates (the int8 kernel reads the hidden state's quantization
   * from the fifth; empty for float).
   */
  record SequenceLstm(
      int activationCode,
      float cellClip,
      float projClip,
      boolean timeMajor,
      boolean asymmetricQuantizeInputs,
      boolean diagonalRecurrentTensors,
      List<Integer> intermediates)
      implements OpOptions {
    public static final SequenceLstm DEFAULT =
        new SequenceLstm(4, 0f, 0f, false, false, false, List.of());

    public SequenceLstm {
      intermediates = List.copyOf(intermediates);
    }
  }

  /**
   * TRANSPOSE_CONV: padding and strides of the convolution it transposes (the output size is input
   * 0; dilation is always 1), and a fused activation (operator version 4).
   */
  record TransposeConv(String padding, int strideH, int strideW, FusedActivation activation)
      implements OpOptions, Window {
    public static final TransposeConv DEFAULT =
        new TransposeConv("VALID", 1, 1, FusedActivation.NONE);

    @Override
    public int dilationH() {
      return 1;
    }

    @Override
    public int dilationW() {
      return 1;
    }
  }

  /** GELU: the tanh approximation instead of the erf form (TFLite's default: false, erf). */
  record Gelu(boolean approximate) implements OpOptions {
    public static final Gelu DEFAULT = new Gelu(false);
  }
}
