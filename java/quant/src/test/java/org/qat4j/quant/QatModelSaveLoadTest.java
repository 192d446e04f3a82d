package org.qat4j.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.SoftmaxCrossEntropy;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.DType;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * QatModel.save/load: identical fake-quant predictions, ranges, switches and int8 export after
 * reload.
 */
class QatModelSaveLoadTest {
  @TempDir Path dir;

  private static Tensor batch(Model m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor x = Tensor.zeros(Shapes.withBatch(8, m.inputShape()));
    for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextDouble());
    return x;
  }

  /** Calibrates, trains two steps (ranges and BN statistics move), then freezes BN. */
  private static QatModel trained(Model f, Scheme scheme) {
    QatModel q = Quantize.model(f, scheme);
    q.calibrate(List.of(batch(f, 1)));
    Adam adam = new Adam(1e-3);
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    for (int s = 0; s < 2; s++) {
      ExecContext ctx = ExecContext.training(s);
      ce.forward(q.model().forward(batch(f, 2 + s), ctx), new int[] {0, 1, 2, 3, 4, 5, 6, 7});
      q.model().backward(ce.gradient(), ctx);
      adam.step(q.model().params());
    }
    q.freezeBatchNorm();
    return q;
  }

  private static void assertSameQuantizers(List<FakeQuantizer> a, List<FakeQuantizer> b) {
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).name(), b.get(i).name());
      assertArrayEquals(a.get(i).min(), b.get(i).min(), 0f, a.get(i).name());
      assertArrayEquals(a.get(i).max(), b.get(i).max(), 0f, a.get(i).name());
      assertEquals(a.get(i).enabled(), b.get(i).enabled(), a.get(i).name());
      assertEquals(a.get(i).observing(), b.get(i).observing(), a.get(i).name());
      assertEquals(a.get(i).rule().toString(), b.get(i).rule().toString(), a.get(i).name());
    }
  }

  private void assertRoundTrip(QatModel q) throws IOException {
    Path file = dir.resolve("m.qat");
    q.save(file);
    QatModel r = QatModel.load(file);
    Tensor x = batch(q.model(), 9);
    assertArrayEquals(
        q.model().predict(x).toArray(),
        r.model().predict(x).toArray(),
        0f,
        "fake-quant predictions");
    assertEquals(q.scheme(), r.scheme());
    assertSameQuantizers(q.quantizers(), r.quantizers());
    for (var n : q.model().nodes()) {
      FakeQuantizer qa = q.rangeOf(n.name()), qb = r.rangeOf(n.name());
      assertEquals(qa == null ? null : qa.name(), qb == null ? null : qb.name(), n.name());
    }
    // Training continues identically (BN frozen, observers live).
    for (QatModel m : new QatModel[] {q, r})
      m.model().forward(batch(q.model(), 10), ExecContext.training(3));
    assertArrayEquals(
        q.model().predict(x).toArray(),
        r.model().predict(x).toArray(),
        0f,
        "after one more training pass");
    if (q.scheme().int8Blocker() == null) {
      byte[] in = new byte[x.size()];
      new SplittableRandom(5).nextBytes(in);
      Object want = new Simulator(Int8Lowering.lower(q, DType.INT8)).runBatch(8, in)[0];
      Object got = new Simulator(Int8Lowering.lower(r, DType.INT8)).runBatch(8, in)[0];
      assertArrayEquals((byte[]) want, (byte[]) got, "int8 export");
    }
    assertNotNull(ModelIO.load(file), "a plain ModelIO model too");
  }

  @Test
  void referenceCnnRoundTrips() throws IOException {
    assertRoundTrip(trained(Zoo.referenceCnn(1), Default8Bit.INSTANCE));
  }

  @Test
  void mobileNetMiniWithConcatAndAddRoundTrips() throws IOException {
    QatModel q = trained(MobileNetMini.create(1), Default8Bit.INSTANCE);
    q.freezeObservers();
    assertRoundTrip(q);
  }

  @Test
  void nBitSchemeRoundTrips() throws IOException {
    assertRoundTrip(trained(Zoo.referenceCnn(2), new NBit(4, 4, true)));
  }

  @Test
  void floatModelFileIsRejectedByQatLoad() throws IOException {
    Path file = dir.resolve("f.model");
    ModelIO.save(Zoo.referenceCnn(1), file);
    IOException e = assertThrows(IOException.class, () -> QatModel.load(file));
    assertTrue(e.getMessage().contains("qat.json"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("m.qat")));
  }
}
