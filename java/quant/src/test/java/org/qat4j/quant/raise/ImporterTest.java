package org.qat4j.quant.raise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Cropping2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Resizing;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.UpSampling2D;
import org.qat4j.core.layers.ZeroPadding2D;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.tflite.Graphs;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.RawModel;
import org.qat4j.tflite.SharedModels;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * Float import: core model → lowered → .tflite → imported model computes the same and holds the
 * same weights.
 */
class ImporterTest {
  static Model branchy() {
    GraphBuilder g = new GraphBuilder(3);
    Node x = g.input("image", 12, 12, 3);
    Node p = g.add(new ZeroPadding2D("pad", 1, 1, 1, 1), x);
    Node c =
        g.add(
            new Conv2D("conv", 8, 3, 3)
                .strides(2, 2)
                .padding(Padding.VALID)
                .activation(Activation.RELU6),
            p);
    Node d =
        g.add(
            new DepthwiseConv2D("dw", 3, 3)
                .depthMultiplier(2)
                .padding(Padding.SAME)
                .activation(Activation.RELU),
            c);
    Node e = g.add(new Conv2D("expand", 16, 1, 1), c);
    Node a = g.add(new Add("add"), d, e);
    Node r = g.add(new ReLU("add_relu"), a);
    Node h = g.add(new HardSwish("hs"), r);
    Node s = g.add(new Sigmoid("sig"), e);
    Node cat = g.add(new Concatenate("cat"), h, s);
    Node mp = g.add(new MaxPool2D("pool", 2, 2).strides(2, 2), cat);
    Node gap = g.add(new GlobalAveragePooling2D("gap"), mp);
    Node fc = g.add(new Dense("fc", 5), gap);
    Node sm = g.add(new Softmax("probs"), fc);
    return g.build(sm);
  }

  static Tensor input(int n, int... shape) {
    SplittableRandom r = new SplittableRandom(9);
    int size = n;
    for (int d : shape) size *= d;
    int[] full = new int[shape.length + 1];
    full[0] = n;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return Tensor.of(Graphs.floats(r, size), full);
  }

  @Test
  void coreModelRoundTripsThroughTflite() {
    Model original = branchy();
    byte[] bytes = TfliteWriter.write(FloatLowering.lower(original));
    Model imported = TfliteImporter.toModel(bytes);
    Tensor x = input(2, 12, 12, 3);
    float[] want = original.predict(x).toArray();
    float[] got = imported.predict(x).toArray();
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++)
      assertEquals(want[i], got[i], 1e-5f * Math.max(1f, Math.abs(want[i])), "output " + i);
    assertEquals(original.parameterCount(), imported.parameterCount());
    // same weights, whatever the layer names became
    List<float[]> a = new ArrayList<>();
    for (Param p : original.params().values()) a.add(p.value().toArray());
    List<float[]> b = new ArrayList<>();
    for (Param p : imported.params().values()) b.add(p.value().toArray());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "param " + i);
    // and a second export of the imported model is the same file
    assertArrayEquals(bytes, TfliteWriter.write(FloatLowering.lower(imported)));
  }

  @Test
  void importedModelIsTrainable() {
    Model m = TfliteImporter.toModel(TfliteWriter.write(FloatLowering.lower(branchy())));
    Tensor x = input(1, 12, 12, 3);
    Tensor y = m.forward(x, org.qat4j.core.ExecContext.training(1));
    Tensor g = Tensor.zeros(y.shape());
    g.set(0, 1f);
    m.backward(g, org.qat4j.core.ExecContext.training(1));
    double norm = 0;
    for (Param p : m.trainableParams()) for (float v : p.grad().toArray()) norm += v * v;
    assertTrue(norm > 0, "no gradient reached the imported weights");
  }

  @Test
  void layoutConversionMatchesSimulatorOnHandWrittenGraph() {
    LoweredGraph g = Graphs.float32();
    Model m = TfliteImporter.toModel(TfliteWriter.write(g));
    Tensor x = input(1, 8, 8, 3);
    float[] want = (float[]) Simulator.run(g, (Object) x.toArray())[0];
    float[] got = m.predict(x).toArray();
    assertArrayEquals(want, got, 1e-5f);
  }

  /** Standalone RELU and RELU6 operators, which the other graphs fuse away. */
  static Model activations() {
    GraphBuilder g = new GraphBuilder(4);
    Node x = g.input("image", 4, 4, 2);
    Node r6 = g.add(new ReLU6("relu6"), x);
    Node r = g.add(new ReLU("relu"), g.add(new Sigmoid("sig"), r6));
    return g.build(g.add(new Flatten("flat"), r));
  }

  @Test
  void everyClaimedOperatorIsImportedByATestGraph() {
    Set<String> seen = new TreeSet<>();
    for (LoweredGraph g :
        List.of(
            FloatLowering.lower(branchy()),
            Graphs.float32(),
            FloatLowering.lower(activations()),
            FloatLowering.lower(standaloneBatchNorm()),
            FloatLowering.lower(ElementwiseImportTest.mergesAndActivations()),
            FloatLowering.lower(resampled()),
            FloatLowering.lower(GeluImportTest.twoForms()))) {
      byte[] bytes = TfliteWriter.write(g);
      assertNotNull(TfliteImporter.toModel(bytes), g.name());
      for (OperatorInfo op : TfliteReader.read(bytes).subgraph(0).operators())
        seen.add(op.opName());
    }
    // a row the tests never reach, or an operator imported without a row, fails here
    assertEquals(
        ImportGraph.operators().stream()
            .map(OpKind::name)
            .collect(Collectors.toCollection(TreeSet::new)),
        seen);
  }

  /**
   * Conv2DTranspose (TRANSPOSE_CONV), nearest and bilinear UpSampling2D, Permute (TRANSPOSE),
   * Cropping2D (STRIDED_SLICE), Resizing by non-whole factors (half-pixel resizes).
   */
  static Model resampled() {
    GraphBuilder g = new GraphBuilder(7);
    Node x = g.input("image", 3, 4, 2);
    Node t = g.add(new Conv2DTranspose("ct", 3, 3, 2).strides(2, 2).padding(Padding.SAME), x);
    Node n = g.add(new UpSampling2D("near", 2, 1, false), t);
    Node p = g.add(new Permute("swap", 2, 1, 3), g.add(new UpSampling2D("bilin", 1, 3, true), n));
    Node c = g.add(new Cropping2D("crop", 1, 0, 2, 3), p);
    return g.build(
        g.add(new Resizing("rsz", 5, 2, true), g.add(new Resizing("rsn", 3, 7, false), c)));
  }

  @Test
  void resampledModelImportsWithItsWeights() {
    Model m = resampled();
    Model back = TfliteImporter.toModel(TfliteWriter.write(FloatLowering.lower(m)));
    Tensor x = Tensor.of(new float[24], 1, 3, 4, 2);
    for (int i = 0; i < 24; i++) x.set(i, (i % 7 - 3) * 0.3f);
    assertArrayEquals(m.predict(x).toArray(), back.predict(x).toArray(), 1e-6f);
  }

  /**
   * A BatchNormalization after an activation cannot fold: it lowers to MUL and ADD by per-channel
   * constants.
   */
  static Model standaloneBatchNorm() {
    GraphBuilder g = new GraphBuilder(5);
    Node x = g.input("image", 6, 6, 2);
    Node c = g.add(new Conv2D("conv", 3, 3, 3).activation(Activation.RELU), x);
    BatchNormalization bn = new BatchNormalization("bn");
    Node b = g.add(bn, c);
    for (int i = 0; i < 3; i++) {
      bn.gamma().value().set(i, 0.5f + i);
      bn.beta().value().set(i, 0.25f - i);
      bn.movingMean().value().set(i, 0.1f * i);
      bn.movingVariance().value().set(i, 0.3f + i);
    }
    return g.build(g.add(new Flatten("flat"), b));
  }

  @Test
  void mulAndAddByChannelConstantsBecomeOneBatchNormalization() {
    Model m = standaloneBatchNorm();
    LoweredGraph g = FloatLowering.lower(m);
    Model back = TfliteImporter.toModel(TfliteWriter.write(g));
    assertEquals(
        List.of("Input", "Conv2D", "BatchNormalization", "Reshape"),
        back.nodes().stream().map(n -> n.layer().type()).toList());
    LoweredGraph again = FloatLowering.lower(back);
    assertEquals(
        g.ops().stream().map(OpSpec::kind).toList(),
        again.ops().stream().map(OpSpec::kind).toList());
    for (int i = 0; i < g.tensors().size(); i++) {
      if (g.tensor(i).data() instanceof float[] f)
        assertArrayEquals(f, (float[]) again.tensor(i).data(), g.tensor(i).name());
    }
    SplittableRandom r = new SplittableRandom(3);
    float[] v = new float[2 * 72];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
    Tensor x = Tensor.of(v, 2, 6, 6, 2);
    assertArrayEquals(m.predict(x).toArray(), back.predict(x).toArray(), 1e-5f);
  }

  @Test
  void mulOfTwoActivationsImportsAsMultiply() {
    LoweredGraph g =
        Graphs.withOp(
            Graphs.float32(), 5, new OpSpec(OpKind.MUL, new int[] {11, 11}, new int[] {12}, null));
    Model m = TfliteImporter.toModel(Graphs.encodeUnvalidated(g));
    assertTrue(
        m.nodes().stream()
            .anyMatch(
                n ->
                    n.layer().type().equals("Multiply")
                        && n.inputs().size() == 2
                        && n.inputs().get(0) == n.inputs().get(1)),
        m.toString());
  }

  @Test
  void claimedOperatorsAreTfliteBuiltinNames() {
    Set<String> builtins =
        IntStream.range(0, 256).mapToObj(OperatorInfo::builtinName).collect(Collectors.toSet());
    for (OpKind k : OpKind.values())
      assertEquals(k.name(), OperatorInfo.builtinName(k.builtinCode()), "builtin code of " + k);
    assertTrue(builtins.containsAll(ImportGraph.operators().stream().map(OpKind::name).toList()));
  }

  @Test
  void unsupportedOperatorsAreListedTogether() {
    LoweredGraph g = Graphs.float32();
    g = Graphs.withOp(g, 2, new OpSpec(OpKind.QUANTIZE, new int[] {6}, new int[] {7}, null));
    g = Graphs.withOp(g, 5, new OpSpec(OpKind.DEQUANTIZE, new int[] {11}, new int[] {12}, null));
    byte[] bytes = Graphs.encodeUnvalidated(g);
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteImporter.toModel(bytes));
    assertTrue(
        e.getMessage().contains("operator 2 (QUANTIZE)")
            && e.getMessage().contains("operator 5 (DEQUANTIZE)"),
        e.getMessage());
  }

  @Test
  void undefinedPaddingIsRefusedAtItsOperator() {
    RawModel raw = new RawModel();
    raw.padding = 2;
    byte[] bytes = raw.build();
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteImporter.toModel(bytes));
    assertTrue(
        e.getMessage().contains("operator 0 (CONV_2D)")
            && e.getMessage().contains("padding PADDING_2"),
        e.getMessage());
  }

  @Test
  void quantizedModelsAreRefusedWithReasons() {
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class,
            () -> TfliteImporter.toModel(TfliteWriter.write(Graphs.int8())));
    assertTrue(e.getMessage().contains("tensor 0 'x' is INT8"), e.getMessage());
  }

  @Test
  void compiledEdgeTpuModelIsRefusedWithReasons() {
    byte[] compiled =
        SharedModels.bytes(
            SharedModels.MOBILENET_EDGETPU); // skips when the shared models are absent
    ModelFormatException shared =
        assertThrows(ModelFormatException.class, () -> TfliteImporter.toModel(compiled));
    assertTrue(shared.getMessage().contains("operator 0 (edgetpu-custom-op)"), shared.getMessage());
    assertTrue(shared.getMessage().contains("is UINT8"), shared.getMessage());
  }

  @Test
  void fusedActivationsOnPoolAddAndConcatBecomeLayers() {
    LoweredGraph g = Graphs.float32();
    OpSpec pool = g.ops().get(2);
    g =
        Graphs.withOp(
            g,
            2,
            new OpSpec(
                pool.kind(),
                pool.inputs(),
                pool.outputs(),
                pool.options(OpOptions.Pool.class)
                    .withActivation(org.qat4j.ir.FusedActivation.RELU6)));
    Model m = TfliteImporter.toModel(TfliteWriter.write(g));
    assertEquals("ReLU6", m.layer("pool").type());
    assertEquals("AveragePool2D", m.layer("pool/average_pool_2d").type());
    Tensor x = input(1, 8, 8, 3);
    assertArrayEquals(
        (float[]) Simulator.run(g, (Object) x.toArray())[0], m.predict(x).toArray(), 1e-5f);
  }
}
