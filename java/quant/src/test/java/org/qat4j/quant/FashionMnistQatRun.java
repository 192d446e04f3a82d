package org.qat4j.quant;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.layers.*;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.calib.PercentileEstimator;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;

/**
 * Float → PTQ → QAT on real Fashion-MNIST with a small conv+BN CNN; int8 accuracy measured with the
 * integer simulator on the exported graphs. Sizes via -Dqat4j.fm.train (default 12000) and
 * -Dqat4j.fm.epochs (default 2). Run: {@code -Dtest=FashionMnistQatRun -Dgroups=slow}.
 */
@Tag("slow")
class FashionMnistQatRun {
  static Model cnn() {
    return new Sequential(5, "in", 28, 28, 1)
        .add(new Conv2D("c1", 16, 3, 3).padding(Padding.SAME).useBias(false))
        .add(new BatchNormalization("b1"))
        .add(new ReLU("r1"))
        .add(new MaxPool2D("p1", 2, 2))
        .add(new Conv2D("c2", 32, 3, 3).padding(Padding.SAME).useBias(false))
        .add(new BatchNormalization("b2"))
        .add(new ReLU("r2"))
        .add(new MaxPool2D("p2", 2, 2))
        .add(new Flatten("f"))
        .add(new Dense("fc", 10))
        .build();
  }

  private static double int8Accuracy(QatModel q, Dataset test) {
    Simulator sim = new Simulator(Int8Lowering.lower(q, DType.FLOAT32));
    int n = test.size(), ok = 0;
    float[] x = new float[n * 784];
    for (int i = 0; i < n; i++) System.arraycopy(test.sample(i), 0, x, i * 784, 784);
    float[] out = sim.runBatchFloat(n, x);
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int k = 1; k < 10; k++) if (out[i * 10 + k] > out[i * 10 + best]) best = k;
      if (best == test.label(i)) ok++;
    }
    return ok / (double) n;
  }

  @Test
  void floatPtqQat() throws Exception {
    assumeTrue(
        FashionMnist.available(), "Fashion-MNIST not installed at " + FashionMnist.defaultDir());
    int nTrain = Integer.getInteger("qat4j.fm.train", 12000),
        epochs = Integer.getInteger("qat4j.fm.epochs", 2);
    FashionMnist.Splits s = FashionMnist.load();
    Dataset train = s.train().subset(0, nTrain), test = s.test();
    Model f = cnn();
    Trainer ft = new Trainer(f, new Adam(0.002));
    ft.fit(train, null, epochs, 64, 1);
    double floatAcc = ft.evaluate(test, 256).accuracy();
    List<Tensor> rep = new ArrayList<>();
    for (Batch b : train.batches(64, false, 0)) {
      if (rep.size() == 16) break;
      rep.add(b.images().copy());
    }
    double ptqMinMax = int8Accuracy(Ptq.quantize(f, rep), test);
    double ptqPct = int8Accuracy(Ptq.quantize(f, rep, new PercentileEstimator(99.99)), test);
    QatModel q = Quantize.model(f);
    q.calibrate(rep);
    int steps = train.batchCount(64);
    Trainer qt =
        new Trainer(q.model(), new Adam(0.0005))
            .addCallback(q.schedule(steps / 2, (3L * steps) / 4));
    qt.fit(train, null, 1, 64, 2);
    double fakeQuantAcc = qt.evaluate(test, 256).accuracy();
    double qatInt8 = int8Accuracy(q, test);
    System.out.printf(
        "FashionMNIST train=%d epochs=%d: float %.4f | PTQ int8 minmax %.4f, p99.99 %.4f | QAT fake-quant %.4f, QAT int8 %.4f%n",
        nTrain, epochs, floatAcc, ptqMinMax, ptqPct, fakeQuantAcc, qatInt8);
    assertTrue(qatInt8 > 0.7, "QAT int8 accuracy " + qatInt8);
  }
}
