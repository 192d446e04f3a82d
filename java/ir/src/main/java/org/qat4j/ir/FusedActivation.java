package org.qat4j.ir;

/** TFLite fused activation codes. */
public enum FusedActivation {
  NONE(0),
  RELU(1),
  RELU_N1_TO_1(2),
  RELU6(3);

  private final int code;

  FusedActivation(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static FusedActivation fromCode(int c) {
    for (FusedActivation a : values()) if (a.code == c) return a;
    throw new IllegalArgumentException("unsupported fused activation code " + c);
  }
}
