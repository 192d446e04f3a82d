package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Issue-5 targets on real Fashion-MNIST: float training, PTQ, QAT fine-tune, int8 export executed
 * in TFLite, verified over the whole test set with {@link Verification}; QAT/float step-time ratio
 * measured interleaved in the same JVM. Figures go to stdout and to {@code qat4j.targets.out}. Run
 * (see docs/QUANTIZATION.md): {@code mvn -o -q -pl java/runtime -am test -Dtest=QatTargetsRun
 * -Dgroups=slow -Dsurefire.failIfNoSpecifiedTests=false -Dqat4j.targets.train=30000}. Asserts only
 * that simulator and TFLite BUILTIN agree bit-exactly; accuracy figures are reported.
 */
@Tag("slow")
@Tag("native")
class QatTargetsRun {
  private static final int BATCH = 64;

  @Test
  void referenceCnn() throws IOException {
    run("reference-cnn", Zoo::referenceCnn);
  }

  @Test
  void mobileNetMini() throws IOException {
    run("mobilenet-mini", MobileNetMini::create);
  }

  private void run(String name, LongFunction<Model> build) throws IOException {
    assumeTrue(
        FashionMnist.available(), "Fashion-MNIST not installed at " + FashionMnist.defaultDir());
    String only = System.getProperty("qat4j.targets.models", "");
    assumeTrue(
        only.isEmpty()
            || java.util.Arrays.stream(only.split(",")).anyMatch(m -> name.startsWith(m.trim())),
        name + " not in qat4j.targets.models=" + only);
    int nTrain = Integer.getInteger("qat4j.targets.train", 30000);
    int epochs = Integer.getInteger("qat4j.targets.epochs", 2);
    int qatEpochs = Integer.getInteger("qat4j.targets.qatEpochs", 1);
    int nTest = Integer.getInteger("qat4j.targets.test", 10000);
    FashionMnist.Splits s = FashionMnist.load();
    Dataset train = s.train().subset(0, nTrain), test = s.test().subset(0, nTest);
    long t0 = System.nanoTime();
    Model f = build.apply(1);
    new Trainer(f, new Adam(0.002)).fit(train, null, epochs, BATCH, 1);
    double floatSec = (System.nanoTime() - t0) / 1e9;
    List<Tensor> rep = new ArrayList<>();
    for (Batch b : train.batches(BATCH, false, 0)) {
      if (rep.size() == 16) break;
      rep.add(b.images().copy());
    }
    QatModel ptq = Ptq.quantize(f, rep);
    byte[] ptqBytes = TfliteWriter.write(Int8Lowering.lower(ptq, DType.INT8));
    QatModel q = Quantize.model(f);
    q.calibrate(rep);
    long steps = (long) train.batchCount(BATCH) * qatEpochs;
    t0 = System.nanoTime();
    new Trainer(q.model(), new Adam(0.0005))
        .addCallback(q.schedule(steps / 2, (3 * steps) / 4))
        .fit(train, null, qatEpochs, BATCH, 2);
    double qatSec = (System.nanoTime() - t0) / 1e9;
    byte[] bytes = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    Verification.Report r =
        Verification.verify(
            q,
            bytes,
            test,
            Verification.Options.defaults()
                .withFloatModel(f)
                .withPtqTflite(ptqBytes)
                .withSqnrSamples(32));
    double[] frozen = stepTimes(f, q, train);
    Trainer ft = new Trainer(f, new Adam(0.0005));
    ft.fit(train, null, qatEpochs, BATCH, 2);
    double floatTuned = ft.evaluate(test, 250).accuracy();
    QatModel fresh = Quantize.model(f);
    fresh.calibrate(rep);
    double[] step = stepTimes(f, fresh, train);
    String line =
        String.format(
            java.util.Locale.ROOT,
            "%s train=%d float_epochs=%d qat_epochs=%d test=%d | float %.4f | PTQ int8 (TFLite) %.4f | QAT fake-quant %.4f | "
                + "QAT int8 TFLite %.4f (XNNPACK %.4f, simulator %.4f) | float fine-tuned +%d epoch(s) at the QAT lr: %.4f | delta QAT-float %+.2f pp, QAT-float_tuned %+.2f pp, QAT-PTQ %+.2f pp | "
                + "sim vs BUILTIN exact %.6f max %d LSB | sim vs XNNPACK exact %.6f within1 %.6f max %d LSB | "
                + "XNNPACK_F32 sim vs XNNPACK exact %.6f max %d | fake-quant vs int8 top1 %.4f max %.2f mean %.3f LSB | "
                + "step float %.1f ms QAT %.1f ms ratio %.3f (BN+observers frozen: QAT %.1f ms vs float %.1f ms, ratio %.3f) | train s float %.0f QAT %.0f | out elements %d%n  SQNR %s%n",
            name,
            nTrain,
            epochs,
            qatEpochs,
            test.size(),
            r.accuracyFloat(),
            r.accuracyPtqInt8(),
            r.accuracyFakeQuant(),
            r.accuracyInt8(),
            r.accuracyInt8Xnnpack(),
            r.accuracySimulator(),
            qatEpochs,
            floatTuned,
            100 * (r.accuracyInt8() - r.accuracyFloat()),
            100 * (r.accuracyInt8() - floatTuned),
            100 * (r.accuracyInt8() - r.accuracyPtqInt8()),
            r.bitExactFractionBuiltin(),
            r.maxLsbBuiltin(),
            r.bitExactFractionXnnpack(),
            r.withinOneLsbFractionXnnpack(),
            r.maxLsbXnnpack(),
            r.bitExactFractionXnnpackF32Sim(),
            r.maxLsbXnnpackF32Sim(),
            r.top1Agreement(),
            r.maxDiffOutputScale(),
            r.meanDiffOutputScale(),
            step[0],
            step[1],
            step[1] / step[0],
            frozen[1],
            frozen[0],
            frozen[1] / frozen[0],
            floatSec,
            qatSec,
            r.outputElements(),
            sqnr(r));
    System.out.print(line);
    String out = System.getProperty("qat4j.targets.out");
    if (out != null)
      Files.writeString(Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN must be bit-exact");
  }

  /**
   * QAT vs float training-step time (Trainer.fit: forward, loss, backward, Adam; batch 64) on both
   * models, interleaved in {@code qat4j.targets.rounds} rounds (default 9) of 4 steps each, order
   * alternating; reports the median per-round ratio and the ratio of the fastest rounds, for QAT as
   * it trains at first (BN batch statistics, observers on) and after the freeze schedule.
   */
  @Test
  void stepTimeRatio() throws IOException {
    assumeTrue(
        FashionMnist.available(), "Fashion-MNIST not installed at " + FashionMnist.defaultDir());
    Dataset train = FashionMnist.load().train().subset(0, 4 * BATCH);
    int rounds = Integer.getInteger("qat4j.targets.rounds", 9);
    for (String name : new String[] {"reference-cnn", "mobilenet-mini"}) {
      Model f = name.startsWith("ref") ? Zoo.referenceCnn(1) : MobileNetMini.create(1);
      List<Tensor> rep = List.of(train.batches(BATCH, false, 0).iterator().next().images().copy());
      QatModel q = Quantize.model(f);
      q.calibrate(rep);
      QatModel frozen = Quantize.model(f);
      frozen.calibrate(rep);
      frozen.freezeBatchNorm();
      frozen.freezeObservers();
      double[][] t = new double[3][rounds];
      Model[] models = {f, q.model(), frozen.model()};
      for (Model m : models) fitSeconds(m, train);
      for (int k = 0; k < rounds; k++) {
        for (int j = 0; j < 3; j++) {
          int i = k % 2 == 0 ? j : 2 - j;
          t[i][k] = fitSeconds(models[i], train) * 1000 / 4;
        }
      }
      String line =
          String.format(
              java.util.Locale.ROOT,
              "step-time %s (%d rounds x 4 steps, batch 64): float median %.1f ms min %.1f | QAT median %.1f min %.1f | "
                  + "ratio median %.3f, of minima %.3f | frozen QAT median %.1f min %.1f, ratio median %.3f, of minima %.3f%n",
              name,
              rounds,
              median(t[0]),
              min(t[0]),
              median(t[1]),
              min(t[1]),
              medianRatio(t[1], t[0]),
              min(t[1]) / min(t[0]),
              median(t[2]),
              min(t[2]),
              medianRatio(t[2], t[0]),
              min(t[2]) / min(t[0]));
      System.out.print(line);
      String out = System.getProperty("qat4j.targets.out");
      if (out != null)
        Files.writeString(Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      assertTrue(min(t[1]) > 0 && min(t[0]) > 0);
    }
  }

  private static double fitSeconds(Model m, Dataset d) {
    long t0 = System.nanoTime();
    new Trainer(m, new Adam(1e-4)).fit(d, null, 1, BATCH, 3);
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c[c.length / 2];
  }

  private static double min(double[] v) {
    return java.util.Arrays.stream(v).min().orElseThrow();
  }

  private static double medianRatio(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[i] / b[i];
    return median(r);
  }

  private static String sqnr(Verification.Report r) {
    StringBuilder b = new StringBuilder();
    for (Verification.LayerSqnr l : r.perLayerSqnr())
      b.append(String.format(java.util.Locale.ROOT, "%s=%.1f ", l.tensor(), l.sqnrDb()));
    return b.toString().trim();
  }

  /**
   * Mean ms of one training step (forward + backward, batch 64, no optimizer update) for float and
   * QAT, interleaved in 3 rounds so machine load hits both alike.
   */
  private static double[] stepTimes(Model f, QatModel q, Dataset train) {
    Tensor x = train.batches(BATCH, false, 0).iterator().next().images().copy();
    int classes = f.outputShape()[f.outputShape().length - 1];
    Tensor g = Tensor.of(new float[BATCH * classes], BATCH, classes);
    for (int i = 0; i < g.size(); i++) g.set(i, (i % 7 - 3) * 1e-3f);
    double fl = 0, qa = 0;
    for (int round = 0; round < 3; round++) {
      fl += stepMillis(f, x, g, 2, 8);
      qa += stepMillis(q.model(), x, g, 2, 8);
    }
    return new double[] {fl / 3, qa / 3};
  }

  private static double stepMillis(Model m, Tensor x, Tensor g, int warm, int reps) {
    for (int i = 0; i < warm; i++) {
      ExecContext c = ExecContext.training(i);
      m.forward(x, c);
      m.backward(g, c);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      ExecContext c = ExecContext.training(i);
      m.forward(x, c);
      m.backward(g, c);
    }
    return (System.nanoTime() - t0) / 1e6 / reps;
  }
}
