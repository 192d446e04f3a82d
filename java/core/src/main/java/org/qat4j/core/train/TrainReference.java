package org.qat4j.core.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.internal.Parallel;
import org.qat4j.core.zoo.Zoo;

/**
 * Benchmark and accuracy run: trains the reference CNN on Fashion-MNIST (inputs in [0, 1], Adam
 * 1e-3, batch 64) and prints per-epoch test accuracy, images per second and epoch seconds.
 * Arguments (all optional, positional): epochs (5), threads (2), data directory (default
 * Fashion-MNIST location), seed (1), GEMM threads (1).
 */
public final class TrainReference {
  private TrainReference() {}

  public static void main(String[] args) throws IOException {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path dir = args.length > 2 && !args[2].isEmpty() ? Path.of(args[2]) : FashionMnist.defaultDir();
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1L;
    // OpenBLAS workers busy-wait; next to qat4j's own layer threads on 2 cores they oversubscribe
    // the CPU (measured: 1 GEMM thread trains several times faster on the shared 2-vCPU machine).
    int gemmThreads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    Parallel.setThreads(threads);
    Gemm.get().setThreads(gemmThreads);
    FashionMnist.Splits data = FashionMnist.load(dir);
    Model model = Zoo.referenceCnn(seed);
    System.out.printf(Locale.ROOT, "reference CNN: %d parameters, gemm=%s (%d threads), threads=%d, epochs=%d, seed=%d, data=%s%n",
        model.parameterCount(), Gemm.get().name(), gemmThreads, threads, epochs, seed, dir);
    Trainer trainer = new Trainer(model, new Adam(1e-3)).addCallback(new ProgressLogger(System.out, 200));
    History h = trainer.fit(data.train(), data.test(), epochs, 64, seed);
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
