package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.SpatialDropout1D;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.tflite.TfliteWriter;

/**
 * The int8 lowering of Embedding: an INT32 index input whatever the I/O type, GATHER of an int8
 * table whose output keeps the table's params, and a simulated output equal to the fake-quant
 * model's (GATHER copies codes).
 */
class Int8LookupTest {
  static final int VOCAB = 300, STEPS = 6;

  private static Model table(boolean head) {
    GraphBuilder b = new GraphBuilder(5);
    Node e = b.add(new Embedding("emb", VOCAB, 4), b.input("tokens", STEPS));
    if (!head) return b.build(e);
    Node f = b.add(new Flatten("flat"), b.add(new SpatialDropout1D("drop", 0.3f), e));
    return b.build(b.add(new Dense("out", 3), f));
  }

  private static float[] tokens(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] t = new float[n * STEPS];
    for (int i = 0; i < t.length; i++) t[i] = r.nextInt(VOCAB);
    return t;
  }

  private static QatModel calibrated(boolean head) {
    QatModel q = Quantize.model(table(head));
    q.calibrate(List.of(Tensor.of(tokens(1, 16), 16, STEPS)));
    return q;
  }

  @Test
  void indicesStayAnInt32InputForEveryIoType() {
    QatModel q = calibrated(true);
    for (DType io : new DType[] {DType.INT8, DType.UINT8, DType.FLOAT32}) {
      LoweredGraph g = Int8Lowering.lower(q, io);
      TensorSpec in = g.tensor(g.inputs()[0]);
      assertEquals(DType.INT32, in.type(), io + ": " + in);
      assertArrayEquals(new int[] {1, STEPS}, in.shape());
      OpSpec gather = g.ops().get(0);
      assertEquals(OpKind.GATHER, gather.kind());
      TensorSpec t = g.tensor(gather.inputs()[0]), y = g.tensor(gather.outputs()[0]);
      assertEquals(DType.INT8, t.type());
      assertEquals(0, t.quant().zeroPoint());
      assertEquals(t.quant(), y.quant(), "GATHER output params = table params");
      assertEquals(io, g.tensor(g.outputs()[0]).type());
      assertTrue(
          g.ops().stream()
              .noneMatch(o -> o.inputs()[0] == g.inputs()[0] && o.kind() == OpKind.QUANTIZE),
          "indices are never quantized");
    }
  }

  @Test
  void simulatedTableRowsEqualTheFakeQuantModel() {
    QatModel q = calibrated(false);
    LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
    float[] x = tokens(2, 1);
    int[] idx = new int[STEPS];
    for (int i = 0; i < STEPS; i++) idx[i] = (int) x[i];
    float[] got = (float[]) new Simulator(g).run(new Object[] {idx})[0];
    float[] want = q.model().predict(Tensor.of(x, 1, STEPS)).toArray();
    assertArrayEquals(want, got, 0f);
  }

  @Test
  void theSimulatorRefusesAnIndexPastTheTable() {
    LoweredGraph g = Int8Lowering.lower(calibrated(false), DType.INT8);
    int[] idx = new int[STEPS];
    idx[3] = VOCAB;
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new Simulator(g).run(new Object[] {idx}));
    assertTrue(e.getMessage().contains("outside [0, " + VOCAB + ")"), e.getMessage());
  }

  @Test
  void aSavedQatModelExportsTheSameBytes(@TempDir Path dir) throws Exception {
    QatModel q = calibrated(true);
    Path f = dir.resolve("emb.q4j");
    q.save(f);
    QatModel back = QatModel.load(f);
    assertArrayEquals(
        TfliteWriter.write(Int8Lowering.lower(q, DType.INT8)),
        TfliteWriter.write(Int8Lowering.lower(back, DType.INT8)));
    assertTrue(Files.size(f) > 0);
  }
}
