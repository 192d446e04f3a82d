package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.raise.TfliteImporter;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;

/**
 * Conformance of every registered layer type ({@link LayerRegistry#types()}): a gradient check of
 * the layer, then a small model using it through float lowering, the writer, TFLite BUILTIN against
 * Model.predict, the import round trip, QAT, int8 lowering with the simulator bit-exact against
 * BUILTIN, and an Edge TPU rule for every operator written. A type without a row in {@link
 * LayerRows#ROWS} fails. {@link OpConformanceTest} checks that these models reach every operator.
 */
@Tag("native")
class LayerConformanceTest {
  /** Images for image models, integer token indices below LayerRows.VOCAB for the others. */
  private static Tensor modelInput(Model m, long seed, int n) {
    if (Arrays.equals(m.inputShape(), LayerRows.IMAGE)) return images(seed, n);
    Tensor t = Tensor.zeros(Shapes.withBatch(n, m.inputShape()));
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < t.size(); i++) t.set(i, r.nextInt(LayerRows.VOCAB));
    return t;
  }

  static Stream<String> types() {
    return LayerRegistry.types().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("types")
  void everyLayerTypeHasARowAndPassesEveryPath(String type) {
    LayerRows.Row row = LayerRows.ROWS.get(type);
    assertNotNull(
        row,
        "layer type " + type + " has no conformance row: add one (gradient, float and QAT models)");
    if (row.layer() != null) gradient(type, row);
    else assertFalse(row.why().isEmpty(), type + ": a row without a gradient check says why");
    Model f = row.floatModel().get();
    assertTrue(uses(f, type), type + ": the float model does not use the layer");
    floatPath(type, f);
    Model q = row.qatModel().get();
    assertTrue(uses(q, type), type + ": the QAT model does not use the layer");
    int8Path(type, q);
  }

  private static boolean uses(Model m, String type) {
    return m.nodes().stream().anyMatch(n -> n.layer().type().equals(type));
  }

  private static void gradient(String type, LayerRows.Row row) {
    Layer l = row.layer().get();
    Tensor[] in = new Tensor[row.inputs().length];
    for (int i = 0; i < in.length; i++)
      in[i] = spaced(40 + i, 0.02f * i, Shapes.withBatch(2, row.inputs()[i]));
    l.outputShape(row.inputs());
    l.build(row.inputs(), new SplittableRandom(11));
    GradientCheck.Result r = GradientCheck.check(l, in, 1e-2, 60, 5);
    assertTrue(r.maxRelError() < 2e-2, type + " gradient check: " + r);
  }

  /**
   * Distinct values at least 0.05 apart and 0.1 away from 0 (no kinks or ties within the
   * finite-difference step); input i's magnitudes are shifted by {@code shift} = 0.02·i, so two
   * inputs never tie either (Maximum, Minimum).
   */
  private static Tensor spaced(long seed, float shift, int... shape) {
    Tensor t = Tensor.zeros(shape);
    SplittableRandom r = new SplittableRandom(seed);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) order.add(i);
    java.util.Collections.shuffle(order, new java.util.Random(seed));
    for (int i = 0; i < t.size(); i++)
      t.set(order.get(i), (float) ((0.1 + shift + 0.05 * (i % 50)) * (r.nextBoolean() ? 1 : -1)));
    return t;
  }

  private static Tensor images(long seed, int n) {
    return GradientCheck.random(new SplittableRandom(seed), Shapes.withBatch(n, LayerRows.IMAGE));
  }

  /**
   * Float lowering → writer → TFLite BUILTIN equals Model.predict; the import lowers to the same
   * operators.
   */
  private static void floatPath(String type, Model m) {
    LoweredGraph g = FloatLowering.lower(m);
    byte[] bytes = TfliteWriter.write(g);
    Tensor x = modelInput(m, 1, 1);
    float[] want = m.predict(x).toArray();
    try (TfliteModel tm = TfliteModel.fromBytes(bytes);
        Interpreter it = Parity.open(tm, Backend.BUILTIN)) {
      float[] got = (float[]) Parity.invoke(it, new Object[] {x.toArray()}, 0);
      double rel = FloatRoundTripTest.maxRelative(got, want, want.length);
      assertTrue(rel <= 1e-5, type + ": TFLite vs Model.predict relative error " + rel);
    }
    if (!LayerRows.imports(type)) {
      var e = assertThrows(RuntimeException.class, () -> TfliteImporter.toModel(bytes));
      assertTrue(e.getMessage().contains("cannot import"), type + ": " + e.getMessage());
      return;
    }
    Model back = TfliteImporter.toModel(bytes);
    assertEquals(kinds(g), kinds(FloatLowering.lower(back)), type + ": import round trip");
  }

  /**
   * QAT → calibration → int8 lowering: TFLite BUILTIN equals the simulator bit for bit; every op
   * has an Edge TPU rule.
   */
  private static void int8Path(String type, Model m) {
    if (LayerRows.FLOAT_ONLY.containsKey(type)) {
      var e = assertThrows(IllegalArgumentException.class, () -> Quantize.model(m));
      assertTrue(
          e.getMessage().contains("(" + type + ")")
              && e.getMessage().contains(LayerRows.FLOAT_ONLY.get(type)),
          type + ": " + e.getMessage());
      return;
    }
    QatModel q = Quantize.model(m);
    q.calibrate(List.of(modelInput(m, 2, 4), modelInput(m, 3, 4)));
    LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
    Parity.assertExact(
        Parity.compare(g, 2, new SplittableRandom(4), -1f, 1f)[0],
        type + ": int8 TFLite BUILTIN vs simulator");
    for (var o : EdgeTpuPreflight.check(TfliteReader.read(TfliteWriter.write(g))).operators()) {
      assertFalse(o.reason().contains("not in the Edge TPU supported-ops table"), type + ": " + o);
    }
  }

  private static List<OpKind> kinds(LoweredGraph g) {
    return g.ops().stream().map(OpSpec::kind).toList();
  }

  /** Operators the float lowering of the rows' models writes. */
  static Set<OpKind> floatOps() {
    return collect(Set.of(), r -> FloatLowering.lower(r.floatModel().get()));
  }

  /**
   * Operators the int8 lowering of the rows' QAT models writes (float I/O, so QUANTIZE and
   * DEQUANTIZE too).
   */
  static Set<OpKind> int8Ops() {
    return collect(
        LayerRows.FLOAT_ONLY.keySet(),
        r -> {
          Model m = r.qatModel().get();
          QatModel q = Quantize.model(m);
          q.calibrate(List.of(modelInput(m, 2, 4)));
          return Int8Lowering.lower(q, DType.FLOAT32);
        });
  }

  /** Operators that survive write → import → float lowering of the rows' float models. */
  static Set<OpKind> importedOps() {
    Set<String> skip = new HashSet<>(LayerRows.FLOAT_ONLY.keySet());
    skip.addAll(LayerRows.NOT_IMPORTED);
    return collect(
        skip,
        r ->
            FloatLowering.lower(
                TfliteImporter.toModel(
                    TfliteWriter.write(FloatLowering.lower(r.floatModel().get())))));
  }

  private static Set<OpKind> collect(
      Set<String> skip, Function<LayerRows.Row, LoweredGraph> lower) {
    Set<OpKind> s = EnumSet.noneOf(OpKind.class);
    for (var e : LayerRows.ROWS.entrySet())
      if (!skip.contains(e.getKey())) s.addAll(kinds(lower.apply(e.getValue())));
    return s;
  }
}
