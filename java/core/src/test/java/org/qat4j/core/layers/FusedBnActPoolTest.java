package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;

/**
 * The training-time BN → ReLU/ReLU6 (→ MaxPool2D) fusion that Model runs: same outputs, parameter
 * gradients, input gradients and moving statistics as the separate layers, and gradients that agree
 * with finite differences of the fused model.
 */
class FusedBnActPoolTest {
  private static Model poolNet() {
    return new Sequential(3, "in", 8, 8, 2)
        .add(new Conv2D("conv", 5, 3, 3))
        .add(new BatchNormalization("bn"))
        .add(new ReLU("relu"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flat"))
        .add(new Dense("dense", 3))
        .build();
  }

  /** ReLU6 and an overlapping SAME pool (3×3, stride 2), then BN → ReLU6 without a pool. */
  private static Model relu6Net() {
    return new Sequential(4, "in", 7, 7, 3)
        .add(new Conv2D("conv", 6, 3, 3).padding(Padding.SAME))
        .add(new BatchNormalization("bn"))
        .add(new ReLU6("relu6"))
        .add(new MaxPool2D("pool", 3, 3).strides(2, 2).padding(Padding.SAME))
        .add(new Conv2D("conv2", 4, 1, 1))
        .add(new BatchNormalization("bn2"))
        .add(new ReLU6("act2"))
        .add(new GlobalAveragePooling2D("gap"))
        .add(new Dense("dense", 3))
        .build();
  }

  /**
   * A small BN → ReLU6 chain without a pool (few activations, so few kinks for finite differences).
   */
  private static Model relu6Chain() {
    return new Sequential(5, "in", 4, 4, 2)
        .add(new Conv2D("conv", 3, 1, 1))
        .add(new BatchNormalization("bn"))
        .add(new ReLU6("relu6"))
        .add(new Flatten("flat"))
        .add(new Dense("dense", 3))
        .build();
  }

  @Test
  void fusedEqualsSeparateLayersWithPool() {
    compare(FusedBnActPoolTest::poolNet, 2, 8, 8, 2);
  }

  /** A 2×2 stride-2 SAME pool on an odd size: the last window row and column are padded. */
  private static Model samePoolNet() {
    return new Sequential(6, "in", 9, 7, 2)
        .add(new Conv2D("conv", 4, 3, 3))
        .add(new BatchNormalization("bn"))
        .add(new ReLU("relu"))
        .add(new MaxPool2D("pool", 2, 2).padding(Padding.SAME))
        .add(new Flatten("flat"))
        .add(new Dense("dense", 3))
        .build();
  }

  @Test
  void fusedEqualsSeparateLayersWithSamePoolOnOddSizes() {
    compare(FusedBnActPoolTest::samePoolNet, 3, 9, 7, 2);
  }

  @Test
  void fusedEqualsSeparateLayersReLU6OverlappingPoolAndNoPool() {
    compare(FusedBnActPoolTest::relu6Net, 3, 7, 7, 3);
  }

  @Test
  void fusedModelGradientsMatchFiniteDifferences() {
    for (Supplier<Model> net :
        List.<Supplier<Model>>of(FusedBnActPoolTest::poolNet, FusedBnActPoolTest::relu6Chain)) {
      Model m = net.get();
      int[] in = m.inputShape();
      Tensor x = Checks.random(21, 2, in[0], in[1], in[2]);
      var r = GradientCheck.check(new ModelAsLayer(m), new Tensor[] {x}, 1e-3, 60, 5);
      assertTrue(r.maxRelError() < Checks.TOL, "fused model " + m.nodes() + ": " + r);
    }
  }

  @Test
  void inferenceRunsTheSeparateLayers() {
    Model m = poolNet();
    Tensor x = Checks.random(1, 2, 8, 8, 2);
    m.forward(x, ExecContext.training(1));
    assertNull(m.activation("bn"), "training runs BN → ReLU → pool fused");
    assertNotNull(m.activation("pool"));
    m.predict(x);
    assertNotNull(m.activation("bn"));
    assertNotNull(m.activation("relu"));
  }

  /** Fused (Model) and per-layer runs of two identically seeded models agree closely. */
  private static void compare(Supplier<Model> net, int batch, int h, int w, int c) {
    Model fused = net.get(), plain = net.get();
    Tensor x = Checks.random(7, batch, h, w, c);
    Tensor yf = fused.forward(x, ExecContext.training(1)).copy();
    Tensor g = Checks.random(8, yf.shape());
    Tensor dxf = fused.backward(g, ExecContext.training(1), true).copy();
    List<Node> nodes = plain.nodes();
    Tensor cur = x;
    ExecContext ctx = ExecContext.training(1);
    for (int i = 1; i < nodes.size(); i++)
      cur = nodes.get(i).layer().forward(new Tensor[] {cur}, ctx);
    Checks.close(cur.toArray(), yf.toArray(), 1e-5f, "output");
    Tensor gi = g;
    for (int i = nodes.size() - 1; i > 0; i--) gi = nodes.get(i).layer().backward(gi, ctx)[0];
    Checks.close(gi.toArray(), dxf.toArray(), 1e-4f, "input gradient");
    List<Param> pf = new ArrayList<>(fused.params().values()),
        pp = new ArrayList<>(plain.params().values());
    assertEquals(pp.size(), pf.size());
    for (int i = 0; i < pp.size(); i++) {
      Checks.close(pp.get(i).value().toArray(), pf.get(i).value().toArray(), 1e-6f, "value " + i);
      if (pp.get(i).trainable())
        Checks.close(
            pp.get(i).grad().toArray(), pf.get(i).grad().toArray(), 1e-4f, "gradient " + i);
    }
  }

  /** Test adapter: a whole model as one layer, so GradientCheck drives Model.forward/backward. */
  private static final class ModelAsLayer extends Layer {
    private final Model model;

    ModelAsLayer(Model model) {
      super("model");
      this.model = model;
    }

    @Override
    public String type() {
      return "ModelAsLayer";
    }

    @Override
    public int[] outputShape(int[]... in) {
      return model.outputShape();
    }

    @Override
    public Tensor forward(Tensor[] in, ExecContext ctx) {
      return model.forward(in[0], ctx);
    }

    @Override
    public Tensor[] backward(Tensor g, ExecContext ctx) {
      return new Tensor[] {model.backward(g, ctx, true)};
    }

    @Override
    public List<Param> params() {
      return model.trainableParams();
    }
  }
}
