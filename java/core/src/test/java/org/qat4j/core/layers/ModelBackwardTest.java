package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;

/**
 * Model.backward skips the model-input gradient unless asked, without changing parameter gradients.
 */
class ModelBackwardTest {
  private static Model model() {
    return new Sequential(3, "in", 6, 6, 2)
        .add(new Conv2D("conv", 4, 3, 3))
        .add(new BatchNormalization("bn"))
        .add(new ReLU("relu"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flat"))
        .add(new Dense("dense", 3))
        .build();
  }

  private static List<float[]> grads(Model m) {
    List<float[]> l = new ArrayList<>();
    for (Param p : m.trainableParams()) l.add(p.grad().toArray());
    return l;
  }

  @Test
  void inputGradientOnlyWhenRequested() {
    Model m = model();
    Tensor x = Checks.random(1, 2, 6, 6, 2), g = Checks.random(2, 2, 3);
    m.forward(x, ExecContext.training(1));
    assertNull(m.backward(g, ExecContext.training(1)));
    List<float[]> skipped = grads(m);
    m.forward(x, ExecContext.training(1));
    Tensor dx = m.backward(g, ExecContext.training(1), true);
    assertNotNull(dx);
    List<float[]> full = grads(m);
    for (int i = 0; i < full.size(); i++)
      assertArrayEquals(full.get(i), skipped.get(i), "param " + i);
    // The returned input gradient is dLoss/dx of L = Σ g·model(x): check one coordinate
    // numerically.
    int i = 17;
    float orig = x.get(i);
    x.set(i, orig + 1e-2f);
    double lp = dot(m.forward(x, ExecContext.training(1)), g);
    x.set(i, orig - 1e-2f);
    double lm = dot(m.forward(x, ExecContext.training(1)), g);
    x.set(i, orig);
    double num = (lp - lm) / 2e-2;
    assertTrue(
        Math.abs(num - dx.get(i)) < 2e-2 * Math.max(1e-1, Math.abs(num)), num + " vs " + dx.get(i));
  }

  @Test
  void conv2dSkipsOnlyTheUnneededInputGradient() {
    Conv2D conv = new Conv2D("c", 3, 3, 3);
    Tensor x = Checks.random(4, 2, 5, 5, 2), g = Checks.random(5, 2, 3, 3, 3);
    Checks.build(conv, x);
    conv.forward(new Tensor[] {x}, ExecContext.training(1));
    Tensor[] none = conv.backward(g, ExecContext.training(1), new boolean[] {false});
    assertEquals(1, none.length);
    assertNull(none[0]);
    float[] dw = conv.kernel().grad().toArray();
    Tensor[] all = conv.backward(g, ExecContext.training(1));
    assertNotNull(all[0]);
    assertArrayEquals(dw, conv.kernel().grad().toArray());
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += (double) a.get(i) * b.get(i);
    return s;
  }
}
