package org.qat4j.ir;

/** Operators a lowered graph may contain, with their TFLite builtin codes. */
public enum OpKind {
  ADD(0), AVERAGE_POOL_2D(1), CONCATENATION(2), CONV_2D(3), DEPTHWISE_CONV_2D(4), DEQUANTIZE(6),
  FULLY_CONNECTED(9), LOGISTIC(14), MAX_POOL_2D(17), MUL(18), RELU(19), RELU6(21), RESHAPE(22),
  SOFTMAX(25), PAD(34), MEAN(40), QUANTIZE(114), HARD_SWISH(117);

  private final int builtinCode;

  OpKind(int builtinCode) { this.builtinCode = builtinCode; }

  public int builtinCode() { return builtinCode; }

  public static OpKind fromBuiltin(int code) {
    for (OpKind k : values()) if (k.builtinCode == code) return k;
    return null;
  }
}
