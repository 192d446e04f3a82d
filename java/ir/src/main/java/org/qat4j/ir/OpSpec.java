package org.qat4j.ir;

/**
 * One operator of a lowered graph: kind, tensor indices and options. Options not used by a kind
 * keep their defaults. Padding is "SAME" or "VALID"; for pools {@code filterH/W} hold the window;
 * {@code axis} is for CONCATENATION; {@code newShape} for RESHAPE; {@code beta} for SOFTMAX;
 * {@code keepDims} for MEAN.
 */
public record OpSpec(OpKind kind, int[] inputs, int[] outputs, Options options) {
  public OpSpec {
    inputs = inputs.clone();
    outputs = outputs.clone();
    if (options == null) options = Options.DEFAULT;
  }

  @Override public int[] inputs() { return inputs.clone(); }
  @Override public int[] outputs() { return outputs.clone(); }

  /** Operator options (immutable; build with the with* methods). */
  public record Options(String padding, int strideH, int strideW, int dilationH, int dilationW,
                        int filterH, int filterW, int depthMultiplier, FusedActivation activation,
                        int axis, int[] newShape, float beta, boolean keepDims) {
    public static final Options DEFAULT =
        new Options("VALID", 1, 1, 1, 1, 1, 1, 1, FusedActivation.NONE, 0, null, 1f, false);

    public Options withPadding(String p) { return new Options(p, strideH, strideW, dilationH, dilationW, filterH, filterW, depthMultiplier, activation, axis, newShape, beta, keepDims); }
    public Options withStrides(int h, int w) { return new Options(padding, h, w, dilationH, dilationW, filterH, filterW, depthMultiplier, activation, axis, newShape, beta, keepDims); }
    public Options withDilation(int h, int w) { return new Options(padding, strideH, strideW, h, w, filterH, filterW, depthMultiplier, activation, axis, newShape, beta, keepDims); }
    public Options withFilter(int h, int w) { return new Options(padding, strideH, strideW, dilationH, dilationW, h, w, depthMultiplier, activation, axis, newShape, beta, keepDims); }
    public Options withDepthMultiplier(int m) { return new Options(padding, strideH, strideW, dilationH, dilationW, filterH, filterW, m, activation, axis, newShape, beta, keepDims); }
    public Options withActivation(FusedActivation a) { return new Options(padding, strideH, strideW, dilationH, dilationW, filterH, filterW, depthMultiplier, a, axis, newShape, beta, keepDims); }
    public Options withAxis(int a) { return new Options(padding, strideH, strideW, dilationH, dilationW, filterH, filterW, depthMultiplier, activation, a, newShape, beta, keepDims); }
    public Options withNewShape(int[] s) { return new Options(padding, strideH, strideW, dilationH, dilationW, filterH, filterW, depthMultiplier, activation, axis, s.clone(), beta, keepDims); }
    public Options withBeta(float b) { return new Options(padding, strideH, strideW, dilationH, dilationW, filterH, filterW, depthMultiplier, activation, axis, newShape, b, keepDims); }
    public Options withKeepDims(boolean k) { return new Options(padding, strideH, strideW, dilationH, dilationW, filterH, filterW, depthMultiplier, activation, axis, newShape, beta, k); }
  }
}
