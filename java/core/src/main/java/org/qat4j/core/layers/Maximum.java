package org.qat4j.core.layers;

import java.nio.FloatBuffer;

/**
 * Elementwise larger of two inputs of one shape (Keras Maximum); lowers to MAXIMUM. The gradient
 * goes to the first input where it wins or ties, as TensorFlow's gradient does.
 */
public final class Maximum extends Binary {
  public Maximum(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Maximum";
  }

  @Override
  void forward(FloatBuffer a, FloatBuffer b, FloatBuffer y, int n) {
    for (int i = 0; i < n; i++) y.put(i, a.get(i) >= b.get(i) ? a.get(i) : b.get(i));
  }

  @Override
  void backward(
      FloatBuffer g, FloatBuffer a, FloatBuffer b, FloatBuffer da, FloatBuffer db, int n) {
    for (int i = 0; i < n; i++) {
      boolean first = a.get(i) >= b.get(i);
      da.put(i, first ? g.get(i) : 0f);
      db.put(i, first ? 0f : g.get(i));
    }
  }

  @Override
  public Maximum copy() {
    return new Maximum(name());
  }
}
