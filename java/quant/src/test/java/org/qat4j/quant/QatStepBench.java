package org.qat4j.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;

/**
 * QAT vs float training-step time on the reference CNN shape (28×28×1, batch 64). Prints the ratio;
 * run with {@code -Dtest=QatStepBench -Dgroups=slow}. Asserts only that both steps compute.
 */
@Tag("slow")
class QatStepBench {
  static Model reference() {
    return new Sequential(11, "in", 28, 28, 1)
        .add(new Conv2D("c1", 32, 3, 3).padding(Padding.SAME).useBias(false))
        .add(new BatchNormalization("b1"))
        .add(new ReLU("r1"))
        .add(new MaxPool2D("p1", 2, 2))
        .add(new Conv2D("c2", 64, 3, 3).padding(Padding.SAME).useBias(false))
        .add(new BatchNormalization("b2"))
        .add(new ReLU("r2"))
        .add(new MaxPool2D("p2", 2, 2))
        .add(new Flatten("f"))
        .add(new Dense("d1", 128).activation(Activation.RELU))
        .add(new Dense("d2", 10))
        .build();
  }

  private static double stepMillis(Model m, Tensor x, Tensor g, int warm, int reps) {
    for (int i = 0; i < warm; i++) {
      ExecContext c = ExecContext.training(i);
      m.forward(x, c);
      m.backward(g, c);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      ExecContext c = ExecContext.training(i);
      m.forward(x, c);
      m.backward(g, c);
    }
    return (System.nanoTime() - t0) / 1e6 / reps;
  }

  @Test
  void qatStepOverhead() {
    SplittableRandom r = new SplittableRandom(1);
    Model f = reference();
    Tensor x = GradientCheck.random(r, 64, 28, 28, 1);
    Tensor g = GradientCheck.random(r, 64, 10);
    QatModel q = Quantize.model(f);
    q.calibrate(java.util.List.of(x));
    double fl = 0, qa = 0;
    for (int round = 0; round < 3; round++) {
      fl += stepMillis(f, x, g, 3, 10);
      qa += stepMillis(q.model(), x, g, 3, 10);
    }
    System.out.printf(
        "float step %.2f ms, QAT step %.2f ms, ratio %.3f%n", fl / 3, qa / 3, qa / fl);
    assertTrue(Double.isFinite(q.model().forward(x, ExecContext.training(0)).get(0)));
  }
}
