package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.EpochStats;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Optimizer;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.train.TrainingState;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Checkpoints of {@code train}: one after every epoch (with {@code --checkpoint-dir}) and one when
 * SIGINT or SIGTERM arrives, taken at the next step boundary so that {@code --resume} continues
 * bit-identically. While training runs the first SIGINT/SIGTERM is handled here; a second one ends
 * the JVM as usual (an interrupted save leaves the previous checkpoint intact).
 */
final class TrainCheckpoints implements Callback, AutoCloseable {
  /** The file written inside {@code --checkpoint-dir}. */
  static final String FILE = "checkpoint.zip";

  /** Thrown at a step boundary after a signal; carries the signal's name. */
  static final class Stopped extends RuntimeException {
    Stopped(String signal) {
      super(signal, null, false, false);
    }
  }

  /** Test seam: runs before each step, before the signal check (e.g. to hold a step). */
  static volatile BiConsumer<TrainCheckpoints, Long> stepHook = (c, step) -> {};

  private final Path file;
  private final boolean everyEpoch;
  private final List<Signal> signals = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();
  private volatile String signal;

  /**
   * {@code file}: where checkpoints go; {@code everyEpoch}: also after each epoch, not only on a
   * signal.
   */
  TrainCheckpoints(Path file, boolean everyEpoch) {
    this.file = file;
    this.everyEpoch = everyEpoch;
    for (String name : List.of("INT", "TERM")) install(name);
  }

  private void install(String name) {
    try {
      Signal s = new Signal(name);
      previous.add(Signal.handle(s, this::onSignal));
      signals.add(s);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // signal not available on this platform (or reserved by the JVM): no checkpoint for it
    }
  }

  private void onSignal(Signal s) {
    signal = "SIG" + s.getName();
    int i = signals.indexOf(s);
    if (i >= 0) Signal.handle(s, previous.get(i)); // a second signal behaves as without qat4j
  }

  /** The checkpoint file of {@code --resume} (a file, or a folder holding {@link #FILE}). */
  static Path resumeFile(Path ref) {
    Path f = Files.isDirectory(ref) ? ref.resolve(FILE) : ref;
    if (!Files.isRegularFile(f))
      throw CliException.usage("--resume: no checkpoint at " + f + " (see --checkpoint-dir)");
    return f;
  }

  /**
   * Where checkpoints go: {@code dir/checkpoint.zip}, else the resumed file, else next to {@code
   * out}, else {@code ./qat4j-checkpoint.zip}.
   */
  static Path target(Path dir, Path resumed, Path out) {
    if (dir != null) {
      if (Files.exists(dir) && !Files.isDirectory(dir))
        throw CliException.usage("--checkpoint-dir: is a file, expected a folder: " + dir);
      return Args.outFile(dir.resolve(FILE), "--checkpoint-dir");
    }
    if (resumed != null) return resumed;
    if (out != null) return out.resolveSibling(out.getFileName() + ".checkpoint.zip");
    return Path.of("qat4j-checkpoint.zip");
  }

  /** A checkpoint for {@code --resume}; a damaged file is a usage error. */
  static Checkpoint load(Path file) {
    try {
      return Checkpoint.load(file);
    } catch (IOException | RuntimeException e) {
      throw CliException.usage(
          "--resume: " + file + " is not a qat4j checkpoint: " + Main.oneLine(e));
    }
  }

  /** True when the checkpointed optimizer follows a cosine schedule (for the report). */
  static boolean cosine(Checkpoint c) {
    return c.optimizer()
        .config()
        .getAsJsonObject("schedule")
        .get("type")
        .getAsString()
        .equals("cosine");
  }

  /** The data and epochs of this run must continue the checkpointed one. */
  static void checkContinues(TrainingState s, Dataset train, int batchSize, int epochs) {
    int batches = train.batchCount(batchSize);
    long perEpoch = s.history().size() == 0 ? -1 : s.history().epochs().get(0).globalStep();
    if ((perEpoch >= 0 && perEpoch != batches) || (perEpoch < 0 && s.globalStep() >= batches)) {
      throw CliException.usage(
          "--resume: the checkpoint was trained on "
              + (perEpoch >= 0 ? perEpoch + " batches per epoch" : "more batches")
              + " but --data/--limit give "
              + batches
              + "; use the data and --limit of the interrupted run");
    }
    if (s.epoch() >= epochs) {
      throw CliException.usage(
          "--epochs: the checkpoint has already completed "
              + s.epoch()
              + " epoch(s); --epochs is the total, give more than that");
    }
  }

  /** Runs {@code fit}; on a signal saves a checkpoint and fails with the signal's exit code. */
  History run(Trainer t, Supplier<History> fit) {
    try {
      return fit.get();
    } catch (Stopped e) {
      save(t);
      throw stopped(e.getMessage(), t.globalStep(), t.epoch() + 1);
    }
  }

  /**
   * The failure after {@code signal} stopped the run at {@code step} in (1-based) {@code epoch}.
   */
  CliException stopped(String signal, long step, int epoch) {
    return CliException.interrupted(
        signal,
        "stopped by "
            + signal
            + " at step "
            + step
            + " (epoch "
            + epoch
            + "); checkpoint saved to "
            + file
            + "; continue with --resume "
            + file);
  }

  @Override
  public void onStepBegin(Trainer trainer, long globalStep) {
    stepHook.accept(this, globalStep);
    String s = signal;
    if (s != null) throw new Stopped(s);
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochStats stats) {
    if (everyEpoch) save(trainer);
  }

  private void save(Trainer t) {
    save(t.model(), t.optimizer(), t.state(), new JsonObject());
  }

  /** Saves a checkpoint of any training loop ({@code extra}: its own metadata). */
  void save(Model m, Optimizer o, TrainingState s, JsonObject extra) {
    try {
      Checkpoint.save(m, o, s, extra, file);
    } catch (IOException | UncheckedIOException e) {
      throw CliException.failed("checkpoint to " + file + " failed: " + Main.oneLine(e), e);
    }
  }

  /** True with {@code --checkpoint-dir}: a checkpoint after every epoch. */
  boolean everyEpoch() {
    return everyEpoch;
  }

  /** True once SIGINT or SIGTERM has arrived. */
  boolean signalled() {
    return signal != null;
  }

  /** The signal that arrived ({@code SIGINT}/{@code SIGTERM}), or null. */
  String signal() {
    return signal;
  }

  /** Path of the checkpoint file. */
  Path file() {
    return file;
  }

  @Override
  public void close() {
    for (int i = 0; i < signals.size(); i++) {
      try {
        Signal.handle(signals.get(i), previous.get(i));
      } catch (IllegalArgumentException e) {
        // already restored by onSignal
      }
    }
  }
}
