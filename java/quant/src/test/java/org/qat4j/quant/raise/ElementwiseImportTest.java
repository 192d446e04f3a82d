package org.qat4j.quant.raise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Average;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.Maximum;
import org.qat4j.core.layers.Minimum;
import org.qat4j.core.layers.PReLU;
import org.qat4j.core.layers.Subtract;
import org.qat4j.core.layers.Tanh;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.TfliteWriter;

/**
 * The float import of SUB, MAXIMUM, MINIMUM, ADD + MUL by ½ (Average), LEAKY_RELU, PRELU, TANH and
 * ELU: the layers come back with their settings and weights and compute the same outputs.
 */
class ElementwiseImportTest {
  /** Every merge and activation layer of issue 14 on two conv branches. */
  static Model mergesAndActivations() {
    GraphBuilder g = new GraphBuilder(9);
    Node x = g.input("image", 5, 5, 3);
    Node a = g.add(new Conv2D("a", 3, 1, 1), x), b = g.add(new Conv2D("b", 3, 1, 1), x);
    Node sub = g.add(new Subtract("sub"), a, b);
    Node max = g.add(new Maximum("max"), sub, a);
    Node min = g.add(new Minimum("min"), max, b);
    Node avg = g.add(new Average("avg"), min, sub);
    Node leaky = g.add(new LeakyReLU("leaky", 0.15f), avg);
    PReLU p = new PReLU("prelu", 1, 2);
    Node pr = g.add(p, leaky);
    for (int c = 0; c < 3; c++) p.alpha().value().set(c, 0.1f + 0.2f * c);
    return g.build(g.add(new ELU("elu"), g.add(new Tanh("tanh"), pr)));
  }

  @Test
  void layersRoundTripWithTheirOutputs() {
    Model m = mergesAndActivations();
    LoweredGraph lowered = FloatLowering.lower(m);
    Model back = TfliteImporter.toModel(TfliteWriter.write(lowered));
    assertEquals(
        List.of(
            "Input",
            "Conv2D",
            "Conv2D",
            "Subtract",
            "Maximum",
            "Minimum",
            "Average",
            "LeakyReLU",
            "PReLU",
            "Tanh",
            "ELU"),
        back.nodes().stream().map(n -> n.layer().type()).toList());
    assertEquals(kinds(lowered), kinds(FloatLowering.lower(back)));
    PReLU p = (PReLU) back.node("prelu").layer();
    assertArrayEquals(new int[] {1, 2}, p.sharedAxes());
    assertEquals(0.15f, ((LeakyReLU) back.node("leaky").layer()).alpha());
    SplittableRandom r = new SplittableRandom(3);
    float[] v = new float[2 * 75];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-2, 2);
    Tensor in = Tensor.of(v, 2, 5, 5, 3);
    assertArrayEquals(m.predict(in).toArray(), back.predict(in).toArray(), 1e-6f);
  }

  /** The int8 export imports back (dequantized) to the same layers: the ½ of Average is found. */
  @Test
  void int8ExportImportsDequantizedToTheSameLayers() {
    Model m = mergesAndActivations();
    QatModel q = Quantize.model(m);
    SplittableRandom r = new SplittableRandom(4);
    float[] v = new float[4 * 75];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-2, 2);
    q.calibrate(List.of(Tensor.of(v, 4, 5, 5, 3)));
    byte[] bytes = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    Model back = TfliteImporter.dequantized(bytes);
    assertEquals(
        m.nodes().stream().map(n -> n.layer().type()).toList(),
        back.nodes().stream().map(n -> n.layer().type()).toList());
  }

  @Test
  void subOfAConstantIsRefusedNamingTheOperator() {
    LoweredGraph g = FloatLowering.lower(mergesAndActivations());
    // make SUB's second operand a constant by pointing it at the PRELU slope
    int sub = 0;
    while (g.ops().get(sub).kind() != OpKind.SUB) sub++;
    int alpha = 0;
    while (!g.tensor(alpha).name().endsWith("/alpha")) alpha++;
    OpSpec op = g.ops().get(sub);
    int[] ins = op.inputs().clone();
    ins[1] = alpha;
    List<OpSpec> ops = new ArrayList<>(g.ops());
    ops.set(sub, new OpSpec(op.kind(), ins, op.outputs(), op.options()));
    LoweredGraph bad =
        new LoweredGraph(
            g.name(), g.tensors(), ops, g.inputs(), g.outputs(), g.metadata(), g.description());
    var e =
        assertThrows(
            ModelFormatException.class, () -> TfliteImporter.toModel(TfliteWriter.write(bad)));
    assertEquals(true, e.getMessage().contains("SUB"), e.getMessage());
  }

  private static List<OpKind> kinds(LoweredGraph g) {
    return g.ops().stream().map(OpSpec::kind).toList();
  }
}
