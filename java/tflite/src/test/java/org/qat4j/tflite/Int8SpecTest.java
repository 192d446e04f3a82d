package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

class Int8SpecTest {
  private static String only(LoweredGraph g) {
    List<String> v = Int8Spec.violations(g);
    assertEquals(1, v.size(), v.toString());
    return v.get(0);
  }

  @Test
  void specCompliantAndFloatGraphsPass() {
    assertEquals(List.of(), Int8Spec.violations(Graphs.int8()));
    assertEquals(List.of(), Int8Spec.violations(Graphs.float32()));
  }

  @Test
  void eachRuleReportsOperatorAndTensor() {
    LoweredGraph g = Graphs.int8();
    TensorSpec w = g.tensor(1);
    String s =
        only(
            Graphs.withTensor(
                g,
                12,
                TensorSpec.activation(
                    "probs", new int[] {1, 2}, DType.INT8, QuantParams.perTensor(1f / 256, 0))));
    assertTrue(s.startsWith("operator 5 (SOFTMAX): output 'probs' must be (0.00390625, -128)"), s);
    List<String> v =
        Int8Spec.violations(
            Graphs.withTensor(
                g,
                7,
                TensorSpec.activation(
                    "pool",
                    new int[] {1, 1, 1, 4},
                    DType.INT8,
                    QuantParams.perTensor(0.5f, -128))));
    assertEquals(2, v.size(), v.toString()); // the pool output and the reshape reading it
    assertTrue(
        v.get(0)
            .startsWith("operator 2 (AVERAGE_POOL_2D): output 'pool' (0.5, -128) must equal input"),
        v.get(0));
    assertTrue(v.get(1).startsWith("operator 3 (RESHAPE): output 'flat'"), v.get(1));
    s =
        only(
            Graphs.withTensor(
                g,
                1,
                new TensorSpec(
                    "conv/w",
                    w.shape(),
                    DType.INT8,
                    new QuantParams(Graphs.scales(4, 0.01f), new long[] {0, 1, 0, 0}, 0),
                    w.data())));
    assertTrue(s.contains("weights 'conv/w' zero point 1 must be 0"), s);
    s =
        only(
            Graphs.withTensor(
                g,
                10,
                new TensorSpec(
                    "fc/b",
                    new int[] {2},
                    DType.INT32,
                    QuantParams.perTensor(0.5f, 0),
                    new int[2])));
    assertTrue(s.contains("operator 4 (FULLY_CONNECTED): bias 'fc/b' scale[0] = 0.5"), s);
    s =
        only(
            Graphs.withTensor(
                g,
                9,
                new TensorSpec(
                    "fc/w",
                    new int[] {2, 4},
                    DType.INT8,
                    QuantParams.perAxis(new float[] {0.03f, 0.03f}, 0),
                    new byte[8])));
    assertTrue(s.contains("weights 'fc/w' per-axis along 0, must be per-tensor"), s);
  }
}
