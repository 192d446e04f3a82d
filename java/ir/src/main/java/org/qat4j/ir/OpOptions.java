package org.qat4j.ir;

import java.util.Arrays;

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

  /** FULLY_CONNECTED, ADD, MUL, SUB: only a fused activation. */
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

  /** MEAN (axes are the operator's second input). */
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
}
