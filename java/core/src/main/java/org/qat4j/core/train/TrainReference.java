package org.qat4j.core.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.data.Augmentation;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.internal.Parallel;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.zoo.Zoo;

/**
 * Benchmark and accuracy run: trains the reference CNN on Fashion-MNIST (inputs in [0, 1], Adam
 * 1e-3, batch 64) and prints per-epoch test accuracy, images per second and epoch seconds.
 * Positional arguments (all optional): epochs (5), threads (2), data directory ("" = default
 * Fashion-MNIST location), seed (1). Options: {@code --gemm-threads=N} (1) and
 * {@code --lr=constant|cosine} (constant; cosine decays 1e-3 to 0 over the run) and
 * {@code --augment=none|flip} (none; flip = random horizontal flips of training images) and
 * {@code --bn-momentum=M} (0.99, Keras's default; PyTorch's default corresponds to 0.9) and
 * {@code --adamw=WD} (0 = Adam; else AdamW with decoupled weight decay WD, Keras's AdamW uses 0.004)
 * and {@code --warmup-epochs=E} (0; linear warm-up of the cosine schedule).
 */
public final class TrainReference {
  private TrainReference() {}

  public static void main(String[] args) throws IOException {
    List<String> pos = new ArrayList<>();
    // OpenBLAS workers busy-wait; next to qat4j's own layer threads on 2 cores they oversubscribe
    // the CPU (measured: 1 GEMM thread trains several times faster on the shared 2-vCPU machine).
    int gemmThreads = 1;
    String lr = "constant";
    String augment = "none";
    float bnMomentum = 0.99f;
    double weightDecay = 0;
    int warmup = 0;
    for (String a : args) {
      if (a.startsWith("--gemm-threads=")) gemmThreads = Integer.parseInt(a.substring(15));
      else if (a.startsWith("--lr=")) lr = a.substring(5);
      else if (a.startsWith("--augment=")) augment = a.substring(10);
      else if (a.startsWith("--bn-momentum=")) bnMomentum = Float.parseFloat(a.substring(14));
      else if (a.startsWith("--adamw=")) weightDecay = Double.parseDouble(a.substring(8));
      else if (a.startsWith("--warmup-epochs=")) warmup = Integer.parseInt(a.substring(16));
      else if (a.startsWith("--")) {
        throw new IllegalArgumentException("unknown option " + a + " (known: --gemm-threads=N, --lr=constant|cosine, --augment=none|flip, --bn-momentum=M, --adamw=WD, --warmup-epochs=E)");
      }
      else pos.add(a);
    }
    int epochs = pos.size() > 0 ? Integer.parseInt(pos.get(0)) : 5;
    int threads = pos.size() > 1 ? Integer.parseInt(pos.get(1)) : 2;
    Path dir = pos.size() > 2 && !pos.get(2).isEmpty() ? Path.of(pos.get(2)) : FashionMnist.defaultDir();
    long seed = pos.size() > 3 ? Long.parseLong(pos.get(3)) : 1L;
    Parallel.setThreads(threads);
    Gemm.get().setThreads(gemmThreads);
    FashionMnist.Splits data = FashionMnist.load(dir);
    Dataset train = switch (augment) {
      case "none" -> data.train();
      case "flip" -> data.train().withAugmentation(new Augmentation(0, true));
      default -> throw new IllegalArgumentException("--augment must be none or flip, got " + augment);
    };
    Model model = Zoo.referenceCnn(seed);
    for (Node n : model.nodes()) if (n.layer() instanceof BatchNormalization bn) bn.momentum(bnMomentum);
    LrSchedule schedule = switch (lr) {
      case "constant" -> LrSchedule.constant(1e-3);
      case "cosine" -> LrSchedule.cosine(1e-3, (long) warmup * data.train().batchCount(64),
          (long) epochs * data.train().batchCount(64), 0);
      default -> throw new IllegalArgumentException("--lr must be constant or cosine, got " + lr);
    };
    System.out.printf(Locale.ROOT, "reference CNN: %d parameters, gemm=%s (%d threads), threads=%d, epochs=%d, seed=%d, lr=%s, augment=%s, bn-momentum=%s, adamw=%s, data=%s%n",
        model.parameterCount(), Gemm.get().name(), gemmThreads, threads, epochs, seed, schedule.toJson(), augment, bnMomentum, weightDecay, dir);
    Adam opt = weightDecay > 0 ? new AdamW(schedule, 0.9, 0.999, 1e-7, weightDecay) : new Adam(schedule, 0.9, 0.999, 1e-7, 0);
    Trainer trainer = new Trainer(model, opt).addCallback(new ProgressLogger(System.out, 200));
    History h = trainer.fit(train, data.test(), epochs, 64, seed);
    report(h, data.test());
  }

  private static void report(History h, Dataset test) {
    System.out.println("epoch  train_loss  train_acc  test_acc  seconds  images/s");
    for (EpochStats s : h.epochs()) {
      System.out.printf(Locale.ROOT, "%5d  %10.4f  %9.4f  %8.4f  %7.1f  %8.0f%n", s.epoch() + 1, s.loss(), s.accuracy(),
          s.valAccuracy(), s.seconds(), s.imagesPerSecond());
    }
    double steady = h.epochs().stream().skip(h.size() > 1 ? 1 : 0).mapToDouble(EpochStats::imagesPerSecond).average().orElse(0);
    System.out.printf(Locale.ROOT, "final test accuracy %.4f on %d images; steady images/s %.0f (gemm=%s)%n",
        h.last().valAccuracy(), test.size(), steady, Gemm.get().name());
  }
}
