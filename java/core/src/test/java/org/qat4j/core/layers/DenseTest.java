package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

class DenseTest {
  @Test
  void gradientsMatchFiniteDifferences() {
    for (Activation a : Activation.values()) {
      Dense d = new Dense("d", 5).activation(a);
      d.build(new int[][] {{7}}, new SplittableRandom(1));
      Tensor x = GradientCheck.random(new SplittableRandom(2), 3, 7);
      var r = GradientCheck.check(d, new Tensor[] {x}, 1e-2, 40, 3);
      assertTrue(r.maxRelError() < 2e-2, a + ": " + r);
    }
  }

  @Test
  void forwardMatchesHandComputation() {
    Model m = new Sequential("in", 2).add(new Dense("d", 1)).build();
    Dense d = (Dense) m.layer("d");
    d.kernel().value().copyFrom(new float[] {2f, -1f});
    d.bias().value().copyFrom(new float[] {0.5f});
    Tensor y = m.forward(Tensor.of(new float[] {1f, 3f, -1f, 0f}, 2, 2), ExecContext.inference());
    assertEquals(-0.5f, y.get(0), 1e-6);
    assertEquals(-1.5f, y.get(1), 1e-6);
  }

  @Test
  void rejectsImageInputNamingLayerAndShape() {
    var e =
        assertThrows(
            ShapeException.class,
            () -> new Sequential("in", 4, 4, 1).add(new Dense("fc", 3)).build());
    assertTrue(
        e.getMessage().contains("'fc'") && e.getMessage().contains("[4, 4, 1]"), e.getMessage());
  }
}
