package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.StepListener;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;

/**
 * QAT models in → ConvBatchNorm (conv + bn + ReLU/ReLU6) → 2×2 MaxPool2D → flatten → dense, and
 * their training steps with and without fusion, for {@link ConvPoolQatTest}.
 */
final class QatPoolFixtures {
  private QatPoolFixtures() {}

  /**
   * The QAT model of in → conv → bn → act → pool → flatten → dense, the conv made by conv. The
   * block's output range starts at [0, 2], so that the observer's moving average never sits exactly
   * on the batch maximum (else the gradient gate of that one element, at the range's edge, depends
   * on the last bit of its pre-activation).
   */
  static Model net(int seed, int h, int w, int c, Supplier<Conv2D> conv, boolean relu6) {
    return qat(seed, h, w, c, conv, relu6).model();
  }

  /** As {@link #net}, with its quantizers. */
  static QatModel qat(int seed, int h, int w, int c, Supplier<Conv2D> conv, boolean relu6) {
    Model f =
        new Sequential(seed, "in", h, w, c)
            .add(conv.get())
            .add(new BatchNormalization("bn"))
            .add(relu6 ? new ReLU6("act") : new ReLU("act"))
            .add(new MaxPool2D("pool", 2, 2))
            .add(new Flatten("flat"))
            .add(new Dense("dense", 3))
            .build();
    QatModel q = Quantize.model(f);
    block(q.model()).outputQuantizer().setRange(new float[] {0f}, new float[] {2f});
    return q;
  }

  static ConvBatchNorm block(Model m) {
    return (ConvBatchNorm) m.node("conv").layer();
  }

  /** A listener that makes the model run every layer on its own. */
  static final StepListener UNFUSED =
      new StepListener() {
        @Override
        public void stepDone(Node first, Node last, boolean backward) {}

        @Override
        public boolean fuse() {
          return false;
        }
      };

  static Tensor random(long seed, int... shape) {
    return GradientCheck.random(new SplittableRandom(seed), shape);
  }

  /**
   * One training step: the output, the pooled block output, then per param its value (moving
   * statistics and quantizer ranges included) and (trainable) gradient, named.
   */
  static Map<String, float[]> step(Model m, Tensor x, long gradSeed) {
    Map<String, float[]> out = new LinkedHashMap<>();
    Tensor y = m.forward(x, ExecContext.training(1));
    out.put("output", y.toArray());
    out.put("pooled", m.activation("pool").toArray());
    m.backward(random(gradSeed, y.shape()), ExecContext.training(1));
    for (Map.Entry<String, Param> e : m.params().entrySet()) {
      Param p = e.getValue();
      out.put(e.getKey(), p.value().toArray());
      if (p.trainable()) out.put(e.getKey() + " gradient", p.grad().toArray());
    }
    return out;
  }

  /** The largest magnitude in v. */
  static double scale(float[] v) {
    double scale = 0;
    for (float e : v) scale = Math.max(scale, Math.abs(e));
    return scale;
  }

  /** want and got agree to tol relative to want's largest magnitude. */
  static void close(float[] want, float[] got, double tol, String what) {
    assertEquals(want.length, got.length, what + ": length");
    double scale = Math.max(1e-6, scale(want));
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]) / scale;
      assertTrue(err < tol, what + " at " + i + ": want " + want[i] + " got " + got[i]);
    }
  }

  /**
   * Central differences of L = Σ r·output for every few entries of p against its gradient from the
   * last backward, in training passes that each start from the same moving statistics (the fold's
   * σ_running moves the loss by rounding only, but that is of the order of the differences).
   */
  static void paramGradient(Model m, Tensor x, Tensor r, Param p, float eps) {
    float[] analytic = p.grad().toArray();
    Map<Param, Tensor> state = new LinkedHashMap<>();
    for (Param q : m.params().values()) if (!q.trainable()) state.put(q, q.value().copy());
    Tensor v = p.value();
    for (int i = 0; i < v.size(); i += Math.max(1, v.size() / 7)) {
      float orig = v.get(i);
      v.set(i, orig + eps);
      double lp = loss(m, x, r, state);
      v.set(i, orig - eps);
      double lm = loss(m, x, r, state);
      v.set(i, orig);
      double num = (lp - lm) / (2 * eps);
      double err =
          Math.abs(num - analytic[i]) / Math.max(1e-2, Math.abs(num) + Math.abs(analytic[i]));
      assertTrue(err < 1e-2, p.name() + "[" + i + "]: numeric " + num + " analytic " + analytic[i]);
    }
  }

  private static double loss(Model m, Tensor x, Tensor r, Map<Param, Tensor> state) {
    for (Map.Entry<Param, Tensor> e : state.entrySet())
      e.getKey().value().buffer().put(0, e.getValue().toArray());
    return dot(m.forward(x, ExecContext.training(1)), r);
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += (double) a.get(i) * b.get(i);
    return s;
  }
}
