package org.qat4j.quant.raise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Gelu;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteWriter;

/**
 * GELU's approximate flag survives the writer, the reader and both imports (float and dequantized
 * int8), and the erf and tanh forms compute different values.
 */
class GeluImportTest {
  static Model twoForms() {
    GraphBuilder g = new GraphBuilder(5);
    Node x = g.input("image", 4, 4, 2);
    Node c = g.add(new Conv2D("c", 3, 1, 1), x);
    Node erf = g.add(new Gelu("erf", false), c);
    return g.build(g.add(new Gelu("tanh", true), g.add(new Conv2D("d", 2, 1, 1), erf)));
  }

  private static Tensor input(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * 32];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-3, 3);
    return Tensor.of(v, n, 4, 4, 2);
  }

  @Test
  void floatImportKeepsEachForm() {
    Model m = twoForms();
    LoweredGraph lowered = FloatLowering.lower(m);
    List<Boolean> flags =
        lowered.ops().stream()
            .filter(o -> o.kind() == OpKind.GELU)
            .map(o -> o.options(OpOptions.Gelu.class).approximate())
            .toList();
    assertEquals(List.of(false, true), flags);
    Model back = TfliteImporter.toModel(TfliteWriter.write(lowered));
    assertFalse(((Gelu) back.node("erf").layer()).approximate());
    assertTrue(((Gelu) back.node("tanh").layer()).approximate());
    Tensor in = input(3, 2);
    assertArrayEquals(m.predict(in).toArray(), back.predict(in).toArray(), 1e-6f);
  }

  @Test
  void int8ExportImportsDequantizedWithEachForm() {
    QatModel q = Quantize.model(twoForms());
    q.calibrate(List.of(input(4, 4)));
    byte[] bytes = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    Model back = TfliteImporter.dequantized(bytes);
    List<Boolean> flags =
        back.nodes().stream()
            .filter(n -> n.layer() instanceof Gelu)
            .map(n -> ((Gelu) n.layer()).approximate())
            .toList();
    assertEquals(List.of(false, true), flags);
  }

  @Test
  void theTwoFormsDiffer() {
    Gelu erf = new Gelu("e", false), tanh = new Gelu("t", true);
    Tensor x = Tensor.of(new float[] {-2.5f, -1f, 0.5f, 2f}, 1, 4);
    float[] a = predict(erf, x), b = predict(tanh, x);
    int differ = 0;
    for (int i = 0; i < 4; i++) if (a[i] != b[i]) differ++;
    assertTrue(differ >= 3, "erf and tanh forms coincide on " + (4 - differ) + " of 4");
  }

  private static float[] predict(Gelu l, Tensor x) {
    GraphBuilder g = new GraphBuilder(1);
    return g.build(g.add(l, g.input("x", 4))).predict(x).toArray();
  }
}
