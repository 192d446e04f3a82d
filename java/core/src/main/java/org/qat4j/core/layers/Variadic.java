package org.qat4j.core.layers;

import java.util.Arrays;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/** What Add and Average share: two or more inputs of one shape, the output of that shape. */
abstract class Variadic extends Layer {
  Variadic(String name) {
    super(name);
  }

  @Override
  public int arity() {
    return -1;
  }

  @Override
  public int[] outputShape(int[]... in) {
    if (in.length < 2) throw shapeError("expects at least 2 inputs, got " + in.length);
    for (int i = 1; i < in.length; i++) {
      if (!Arrays.equals(in[0], in[i]))
        throw shapeError(
            "input 0 has shape "
                + Arrays.toString(in[0])
                + " but input "
                + i
                + " has shape "
                + Arrays.toString(in[i]));
    }
    return in[0].clone();
  }

  /** The forward inputs checked: at least 2, all of input 0's shape. */
  void checkInputs(Tensor[] in) {
    if (in.length < 2)
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects at least 2 inputs, got " + in.length);
    for (int i = 1; i < in.length; i++) {
      if (!in[i].sameShape(in[0].shape()))
        throw new IllegalArgumentException(
            "layer '" + name() + "': input 0 is " + in[0] + " but input " + i + " is " + in[i]);
    }
  }
}
