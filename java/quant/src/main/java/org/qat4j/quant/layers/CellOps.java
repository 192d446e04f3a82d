package org.qat4j.quant.layers;

import java.util.List;

/**
 * The operations of an unrolled recurrent cell ({@link RecurrentCells} walks LSTM and GRU through
 * them), so the float lowering, the int8 lowering and the QAT forward share one op structure. A
 * handle {@code T} is one [1, n] tensor per sample; {@code role} names the tensor's quantizer (one
 * per role, shared over all steps).
 */
public interface CellOps<T> {
  /** Which weight matrix: the kernel [F, G·U] or the recurrent kernel [U, G·U]. */
  enum Matrix {
    KERNEL,
    RECURRENT
  }

  /** Columns [from, from + n) of a weight matrix, used as one FULLY_CONNECTED weight. */
  record Cols(Matrix matrix, int from, int n) {}

  /** Tensors made from now on belong to time step {@code k}. */
  void step(int k);

  /**
   * The layer input [T, F] times the kernel columns {@code w} plus {@code bias}, for every step at
   * once (FULLY_CONNECTED keeping [T, n]), then one handle per step (UNPACK).
   */
  List<T> inputPart(String role, Cols w, float[] bias);

  /** A zero state [n] on the role's grid. */
  T zeros(String role, int n);

  /** {@code in}·W[:, cols] (+ {@code bias} when not null). */
  T fc(String role, T in, Cols w, float[] bias);

  T add(String role, T a, T b);

  T sub(String role, T a, T b);

  T mul(String role, T a, T b);

  /** 1 / (1 + e^−a); the role's grid is TFLite's fixed (1/256, −128). */
  T logistic(String role, T a);

  /** tanh(a); the role's grid is TFLite's fixed (1/128, 0). */
  T tanh(String role, T a);

  /**
   * Keras 2's hard_sigmoid min(relu(0.2·a + 0.5), 1): MUL by 0.2 onto {@code scaledRole}'s grid,
   * ADD 0.5 with fused RELU and MINIMUM 1 onto {@code role}'s grid ([0, 1]).
   */
  T hardSigmoid(String scaledRole, String role, T a);

  /** {@code parts} equal pieces along the feature axis (SPLIT), on {@code a}'s grid. */
  List<T> split(T a, int parts);

  /** Ends the layer: the last state, or every step's stacked along T (PACK). */
  void output(List<T> states, boolean sequences);
}
