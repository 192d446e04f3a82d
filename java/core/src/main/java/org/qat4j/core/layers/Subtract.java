package org.qat4j.core.layers;

import java.nio.FloatBuffer;

/** Elementwise difference a − b of two inputs of one shape (Keras Subtract); lowers to SUB. */
public final class Subtract extends Binary {
  public Subtract(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Subtract";
  }

  @Override
  void forward(FloatBuffer a, FloatBuffer b, FloatBuffer y, int n) {
    for (int i = 0; i < n; i++) y.put(i, a.get(i) - b.get(i));
  }

  @Override
  void backward(
      FloatBuffer g, FloatBuffer a, FloatBuffer b, FloatBuffer da, FloatBuffer db, int n) {
    for (int i = 0; i < n; i++) {
      da.put(i, g.get(i));
      db.put(i, -g.get(i));
    }
  }

  @Override
  public Subtract copy() {
    return new Subtract(name());
  }
}
