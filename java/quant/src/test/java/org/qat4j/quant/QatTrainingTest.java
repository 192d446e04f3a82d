package org.qat4j.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.*;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.quantizers.FakeQuantizer;

class QatTrainingTest {
  /** Four classes: a bright bar in one of four positions, plus noise. */
  static Dataset bars(int n, long seed) {
    return bars(n, seed, 0.6);
  }

  static Dataset bars(int n, long seed, double noise) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 36];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(4);
      for (int p = 0; p < 36; p++) {
        int row = p / 6, col = p % 6;
        boolean on = y[i] < 2 ? row == 1 + 3 * y[i] : col == 1 + 3 * (y[i] - 2);
        x[i * 36 + p] = (on ? 1f : 0f) + (float) ((r.nextDouble() - 0.5) * noise);
      }
    }
    return new Dataset(x, y, new int[] {6, 6, 1}, 4);
  }

  static Model net() {
    return new Sequential(7, "in", 6, 6, 1)
        .add(new Conv2D("conv", 6, 3, 3).useBias(false))
        .add(new BatchNormalization("bn"))
        .add(new ReLU6("relu"))
        .add(new Flatten("flat"))
        .add(new Dense("fc", 4))
        .build();
  }

  private static List<Tensor> images(Dataset d, int batch, int max) {
    List<Tensor> l = new ArrayList<>();
    for (Batch b : d.batches(batch, false, 0)) {
      if (l.size() == max) break;
      l.add(b.images().copy());
    }
    return l;
  }

  private static double simAccuracy(QatModel q, Dataset test) {
    Simulator sim = new Simulator(Int8Lowering.lower(q, DType.FLOAT32));
    float[] x = new float[test.size() * 36];
    for (int i = 0; i < test.size(); i++) System.arraycopy(test.sample(i), 0, x, i * 36, 36);
    float[] out = sim.runBatchFloat(test.size(), x);
    int ok = 0;
    for (int i = 0; i < test.size(); i++) {
      int best = 0;
      for (int k = 1; k < 4; k++) if (out[i * 4 + k] > out[i * 4 + best]) best = k;
      if (best == test.label(i)) ok++;
    }
    return ok / (double) test.size();
  }

  @Test
  void qatTrainsWithScheduleAndExportsAccurateInt8() {
    Dataset train = bars(512, 1), test = bars(256, 2);
    Model f = net();
    new Trainer(f, new Adam(0.01)).fit(train, null, 2, 32, 3);
    double floatAcc = new Trainer(f, new Adam(0.01)).evaluate(test, 64).accuracy();
    assertTrue(floatAcc > 0.9, "float accuracy " + floatAcc);

    QatModel q = Quantize.model(f);
    q.calibrate(images(train, 64, 4));
    long[] frozenAt = {-1, -1};
    Trainer t =
        new Trainer(q.model(), new Adam(0.002))
            .addCallback(q.schedule(6, 10))
            .addCallback(
                new Callback() {
                  @Override
                  public void onStepEnd(Trainer tr, org.qat4j.core.train.StepResult s) {
                    boolean bnFrozen =
                        ((ConvBatchNorm) q.model().layer("conv")).batchNorm().frozen();
                    boolean obsOff = !q.quantizers().get(0).observing();
                    if (bnFrozen && frozenAt[0] < 0) frozenAt[0] = s.globalStep();
                    if (obsOff && frozenAt[1] < 0) frozenAt[1] = s.globalStep();
                  }
                });
    t.fit(train, null, 1, 32, 4);
    assertEquals(6, frozenAt[0]);
    assertEquals(10, frozenAt[1]);
    for (FakeQuantizer fq : q.quantizers()) assertFalse(fq.observing());
    assertTrue(
        q.model().params().containsKey("conv/output_quant_max"), "ranges are checkpointed params");
    double qatAcc = t.evaluate(test, 64).accuracy();
    double int8Acc = simAccuracy(q, test);
    assertTrue(qatAcc > floatAcc - 0.05, "QAT " + qatAcc + " vs float " + floatAcc);
    assertTrue(Math.abs(int8Acc - qatAcc) <= 0.02, "int8 " + int8Acc + " vs fake-quant " + qatAcc);
  }

  @Test
  void qatRecoversWhatLowBitPtqLoses() {
    Dataset train = bars(1024, 5, 2.4), test = bars(512, 6, 2.4);
    Model f = net();
    new Trainer(f, new Adam(0.01)).fit(train, null, 2, 32, 3);
    double floatAcc = new Trainer(f, new Adam(0.01)).evaluate(test, 64).accuracy();
    NBit low = new NBit(2, 2, true);
    QatModel ptq =
        org.qat4j.quant.ptq.Ptq.quantize(
            f, images(train, 64, 4), new org.qat4j.quant.calib.MinMaxEstimator(), low);
    double ptqAcc = new Trainer(ptq.model(), new Adam(0.01)).evaluate(test, 64).accuracy();
    QatModel q = Quantize.model(f, low);
    q.calibrate(images(train, 64, 4));
    Trainer t = new Trainer(q.model(), new Adam(0.003)).addCallback(q.schedule(40, 60));
    t.fit(train, null, 5, 32, 4);
    double qatAcc = t.evaluate(test, 64).accuracy();
    System.out.printf("bars w2/a2: float %.3f PTQ %.3f QAT %.3f%n", floatAcc, ptqAcc, qatAcc);
    assertTrue(
        ptqAcc < floatAcc - 0.1,
        "2-bit PTQ should lose accuracy: " + ptqAcc + " vs float " + floatAcc);
    assertTrue(qatAcc > ptqAcc + 0.02, "QAT " + qatAcc + " vs PTQ " + ptqAcc);
    assertThrows(IllegalArgumentException.class, () -> Int8Lowering.lower(q, DType.FLOAT32));
  }
}
