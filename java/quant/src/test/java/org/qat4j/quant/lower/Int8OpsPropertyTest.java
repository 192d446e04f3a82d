package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;

/**
 * Small random graphs (fixed seeds) covering every op the int8 lowering emits: the fake-quant model
 * and the integer simulator of its export agree to a few output LSB.
 */
class Int8OpsPropertyTest {
  private static Model randomGraph(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    GraphBuilder g = new GraphBuilder(seed);
    Node x = g.input("in", 8, 8, 2);
    int k = 0;
    x = g.add(new Conv2D("c" + k++, 2 + r.nextInt(4), 3, 3).padding(Padding.SAME), x);
    if (r.nextBoolean()) x = g.add(new ZeroPadding2D("pad", 1, 1, 1, 1), x);
    if (r.nextBoolean()) x = g.add(new AveragePool2D("avg", 2, 2), x);
    else x = g.add(new MaxPool2D("max", 2, 2), x);
    x = g.add(new ReLU("relu_alone"), x);
    Node d =
        g.add(
            new DepthwiseConv2D("dw", 3, 3).depthMultiplier(1 + r.nextInt(2)).padding(Padding.SAME),
            x);
    Node hs = g.add(new HardSwish("hs"), d);
    Node p = g.add(new Conv2D("pw", 3, 1, 1).activation(Activation.RELU6), hs);
    Node side = g.add(new Conv2D("side", 3, 1, 1), x);
    Node sum = g.add(new Add("sum"), p, side);
    Node cat = g.add(new Concatenate("cat"), sum, x);
    Node drop = g.add(new Dropout("drop", 0.1f), cat);
    Node flat = g.add(new Flatten("flat"), drop);
    Node fc = g.add(new Dense("fc", 3), flat);
    return g.build(g.add(r.nextBoolean() ? new Sigmoid("out") : new Softmax("out"), fc));
  }

  @Test
  void randomGraphsAgreeWithTheIntegerSimulator() {
    for (long seed = 1; seed <= 6; seed++) {
      Model f = randomGraph(seed);
      SplittableRandom r = new SplittableRandom(seed);
      List<Tensor> data = new ArrayList<>();
      for (int i = 0; i < 2; i++) data.add(GradientCheck.random(r, 8, 8, 8, 2));
      QatModel q = Quantize.model(f);
      q.calibrate(data);
      for (Tensor b : data) q.model().forward(b, ExecContext.training(seed));
      q.freezeObservers();
      LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
      List<OpKind> kinds = g.ops().stream().map(OpSpec::kind).toList();
      for (OpKind want :
          List.of(
              OpKind.CONV_2D,
              OpKind.DEPTHWISE_CONV_2D,
              OpKind.HARD_SWISH,
              OpKind.ADD,
              OpKind.CONCATENATION,
              OpKind.RELU,
              OpKind.RESHAPE,
              OpKind.FULLY_CONNECTED)) {
        assertTrue(kinds.contains(want), "seed " + seed + " lacks " + want + ": " + kinds);
      }
      float[] want = q.model().predict(data.get(0)).toArray();
      float[] got = new Simulator(g).runBatchFloat(8, data.get(0).toArray());
      double max = 0;
      for (int i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i] - got[i]) * 256);
      System.out.printf("int8 property seed %d: max %.2f LSB%n", seed, max);
      assertTrue(
          max <= 6, "seed " + seed + ": max |fake-quant − int8| = " + max + " LSB, ops " + kinds);
    }
  }
}
