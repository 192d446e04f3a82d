package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/** Concatenate over many rows and three inputs of odd widths: exact interleaving and split. */
class ConcatenateRowsTest {
  @Test
  void forwardInterleavesAndBackwardSplitsExactly() {
    int[] widths = {3, 1, 5};
    Tensor[] in = new Tensor[widths.length];
    for (int i = 0; i < in.length; i++) in[i] = Checks.random(10 + i, 3, 41, 67, widths[i]);
    Concatenate cat = Checks.build(new Concatenate("cat"), in);
    Tensor y = cat.forward(in, ExecContext.training(1));
    int total = 9, rows = 3 * 41 * 67;
    for (int r = 0; r < rows; r++) {
      for (int i = 0, off = 0; i < in.length; off += widths[i], i++) {
        for (int k = 0; k < widths[i]; k++)
          assertEquals(in[i].get(r * widths[i] + k), y.get(r * total + off + k), "row " + r);
      }
    }
    Tensor g = Checks.random(20, y.shape());
    Tensor[] dx = cat.backward(g, ExecContext.training(1));
    for (int r = 0; r < rows; r++) {
      for (int i = 0, off = 0; i < in.length; off += widths[i], i++) {
        for (int k = 0; k < widths[i]; k++)
          assertEquals(g.get(r * total + off + k), dx[i].get(r * widths[i] + k), "row " + r);
      }
    }
  }
}
