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
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Initializer;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.Parallel;

/**
 * Benchmark and accuracy run: trains the reference CNN on Fashion-MNIST (inputs in [0, 1], Adam
 * 1e-3, batch 64) and prints per-epoch test accuracy, images per second and epoch seconds.
 * Positional arguments (all optional): epochs (5), threads (2), data directory ("" = default
 * Fashion-MNIST location), seed (1). Options: {@code --gemm-threads=N} (0 = 1 for OpenBLAS, all
 * threads for the Java GEMM) and {@code --lr=constant|cosine} (constant; cosine decays 1e-3 to 0
 * over the run) and {@code --augment=none|flip} (none; flip = random horizontal flips of training
 * images) and {@code --bn-momentum=M} (0.99, Keras's default; PyTorch's default corresponds to 0.9)
 * and {@code --adamw=WD} (0 = Adam; else AdamW with decoupled weight decay WD, Keras's AdamW uses
 * 0.004) and {@code --warmup-epochs=E} (0; linear warm-up of the cosine schedule) and {@code
 * --conv-init-scale=S} (1 = Keras's Glorot-uniform; else variance scaling S with fan-avg, uniform,
 * for the two Conv2D kernels) and {@code --label-smoothing=E} (0) and {@code --peak-lr=X} (1e-3;
 * the rate of the constant schedule and the start of the cosine one; the CLI's recipe uses 2e-3)
 * and {@code --model=reference-cnn|mobilenet-mini} (the zoo net to train; the speed comparison of
 * docs/PERFORMANCE.md) and {@code --limit=N} (0 = all; train on the first N images).
 */
public final class TrainReference {
  private TrainReference() {}

  public static void main(String[] args) throws IOException {
    Options o = Options.parse(args);
    Parallel.setThreads(o.threads());
    Gemm.get()
        .setThreads(
            o.gemmThreads() > 0
                ? o.gemmThreads()
                : "java".equals(Gemm.get().name()) ? o.threads() : 1);
    FashionMnist.Splits data = FashionMnist.load(o.dir());
    History h = train(o, data, new ProgressLogger(System.out, 200));
    report(h, data.test());
  }

  /** Trains the reference CNN as {@code o} says, validating on the test split after each epoch. */
  static History train(Options o, FashionMnist.Splits data, Callback progress) {
    Dataset all =
        o.limit() > 0
            ? data.train().subset(0, Math.min(o.limit(), data.train().size()))
            : data.train();
    Dataset train =
        switch (o.augment()) {
          case "none" -> all;
          case "flip" -> all.withAugmentation(new Augmentation(0, true));
          default ->
              throw new IllegalArgumentException(
                  "--augment must be none or flip, got " + o.augment());
        };
    Model model = model(o);
    for (Node n : model.nodes())
      if (n.layer() instanceof BatchNormalization bn) bn.momentum(o.bnMomentum());
    long perEpoch = train.batchCount(64);
    LrSchedule schedule =
        switch (o.lr()) {
          case "constant" -> LrSchedule.constant(o.peakLr());
          case "cosine" ->
              LrSchedule.cosine(o.peakLr(), o.warmupEpochs() * perEpoch, o.epochs() * perEpoch, 0);
          default ->
              throw new IllegalArgumentException("--lr must be constant or cosine, got " + o.lr());
        };
    System.out.printf(
        Locale.ROOT,
        "%s: %d parameters, gemm=%s, lr=%s, %s%n",
        o.model(),
        model.parameterCount(),
        Gemm.get().name(),
        schedule.toJson(),
        o);
    Adam opt =
        o.adamw() > 0 ? new AdamW(schedule, 0.9, 0.999, 1e-7, o.adamw()) : new Adam(schedule);
    Trainer trainer =
        new Trainer(model, opt).labelSmoothing(o.labelSmoothing()).addCallback(progress);
    return trainer.fit(train, data.test(), o.epochs(), 64, o.seed());
  }

  /** The reference CNN with {@code o}'s conv init, or MobileNetMini (zoo init). */
  private static Model model(Options o) {
    return switch (o.model()) {
      case "reference-cnn" ->
          Zoo.referenceCnn(
              o.seed(),
              new Initializer(
                  o.convInitScale(), Initializer.Mode.FAN_AVG, Initializer.Distribution.UNIFORM));
      case "mobilenet-mini" -> {
        if (o.convInitScale() != 1)
          throw new IllegalArgumentException("--conv-init-scale applies to reference-cnn only");
        yield Zoo.create("mobilenet-mini", o.seed());
      }
      default ->
          throw new IllegalArgumentException(
              "--model must be reference-cnn or mobilenet-mini, got " + o.model());
    };
  }

  /** Parsed command line; {@link #parse} documents the defaults. */
  record Options(
      int epochs,
      int threads,
      Path dir,
      long seed,
      int gemmThreads,
      String lr,
      String augment,
      float bnMomentum,
      double adamw,
      int warmupEpochs,
      double convInitScale,
      double labelSmoothing,
      double peakLr,
      String model,
      int limit) {
    private static final String KNOWN =
        "--gemm-threads=N, --lr=constant|cosine, --augment=none|flip, --bn-momentum=M, "
            + "--adamw=WD, --warmup-epochs=E, --conv-init-scale=S, --label-smoothing=E, "
            + "--peak-lr=X, --model=reference-cnn|mobilenet-mini, --limit=N";

    static Options parse(String... args) {
      List<String> pos = new ArrayList<>();
      java.util.Map<String, String> opt = new java.util.HashMap<>();
      for (String a : args) {
        if (!a.startsWith("--")) {
          pos.add(a);
          continue;
        }
        int eq = a.indexOf('=');
        String key = eq < 0 ? a : a.substring(0, eq);
        if (eq < 0 || !KNOWN.contains(key + "="))
          throw new IllegalArgumentException("unknown option " + a + " (known: " + KNOWN + ")");
        opt.put(key, a.substring(eq + 1));
      }
      // --gemm-threads 0 = 1 for OpenBLAS, whose workers busy-wait and oversubscribe the CPU next
      // to
      // qat4j's layer threads (measured: several times faster on 2 vCPUs), and all threads for the
      // Java GEMM, which splits itself on those threads.
      return new Options(
          pos.size() > 0 ? Integer.parseInt(pos.get(0)) : 5,
          pos.size() > 1 ? Integer.parseInt(pos.get(1)) : 2,
          pos.size() > 2 && !pos.get(2).isEmpty() ? Path.of(pos.get(2)) : FashionMnist.defaultDir(),
          pos.size() > 3 ? Long.parseLong(pos.get(3)) : 1L,
          Integer.parseInt(opt.getOrDefault("--gemm-threads", "0")),
          opt.getOrDefault("--lr", "constant"),
          opt.getOrDefault("--augment", "none"),
          Float.parseFloat(opt.getOrDefault("--bn-momentum", "0.99")),
          Double.parseDouble(opt.getOrDefault("--adamw", "0")),
          Integer.parseInt(opt.getOrDefault("--warmup-epochs", "0")),
          Double.parseDouble(opt.getOrDefault("--conv-init-scale", "1")),
          Double.parseDouble(opt.getOrDefault("--label-smoothing", "0")),
          Double.parseDouble(opt.getOrDefault("--peak-lr", "1e-3")),
          opt.getOrDefault("--model", "reference-cnn"),
          Integer.parseInt(opt.getOrDefault("--limit", "0")));
    }
  }

  private static void report(History h, Dataset test) {
    System.out.println("epoch  train_loss  train_acc  test_acc  seconds  images/s");
    for (EpochStats s : h.epochs()) {
      System.out.printf(
          Locale.ROOT,
          "%5d  %10.4f  %9.4f  %8.4f  %7.1f  %8.0f%n",
          s.epoch() + 1,
          s.loss(),
          s.accuracy(),
          s.valAccuracy(),
          s.seconds(),
          s.imagesPerSecond());
    }
    double steady =
        h.epochs().stream()
            .skip(h.size() > 1 ? 1 : 0)
            .mapToDouble(EpochStats::imagesPerSecond)
            .average()
            .orElse(0);
    System.out.printf(
        Locale.ROOT,
        "final test accuracy %.4f on %d images; steady images/s %.0f (gemm=%s)%n",
        h.last().valAccuracy(),
        test.size(),
        steady,
        Gemm.get().name());
  }
}
