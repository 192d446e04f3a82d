package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.qat4j.core.data.Dataset;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.DelegateCoverage;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.InterpreterListener;
import org.qat4j.runtime.TensorView;
import org.qat4j.runtime.TfliteException;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.runtime.Validation;

/** Runs .tflite models through the runtime's {@link Interpreter}: test-set evaluation. */
final class TfliteRun {
  private TfliteRun() {}

  /** The lower-case name {@code --backend} takes and the JSON reports carry ("xnnpack"). */
  static String id(Backend b) {
    return b.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Opens the interpreter (NaN/Inf inputs rejected); a known backend that cannot start here is a
   * failure (exit 1) naming the reason.
   */
  static Interpreter open(
      TfliteModel m,
      Backend b,
      int threads,
      boolean isolate,
      CustomOpSpecs ops,
      InterpreterListener... listeners) {
    try {
      Interpreter.Options.Builder o =
          ops.apply(
              Interpreter.Options.builder()
                  .backend(b)
                  .threads(threads)
                  .checkInputs(true)
                  .isolated(isolate));
      for (InterpreterListener l : listeners) o.listener(l);
      return Interpreter.create(m, o.build());
    } catch (RuntimeException e) {
      throw CliException.failed("backend " + id(b) + " unavailable: " + Main.oneLine(e), e);
    }
  }

  static TfliteModel model(Path file) throws IOException {
    try {
      return TfliteModel.fromFile(file);
    } catch (TfliteException | IllegalArgumentException e) {
      throw CliException.usage(file + " is not a valid .tflite model: " + Main.oneLine(e));
    }
  }

  /** Top-1 accuracy over {@code test} (batch 1 per invoke). */
  static JsonObject eval(
      Path file,
      Dataset test,
      Backend b,
      int threads,
      boolean isolate,
      CustomOpSpecs ops,
      Pipeline.ProgressFactory progress,
      Consumer<String> warn)
      throws IOException {
    DelegateCoverage.Latest coverage = new DelegateCoverage.Latest();
    try (TfliteModel m = model(file);
        Interpreter it = open(m, b, threads, isolate, ops, coverage)) {
      checkClassifier(it, test, file);
      long correct = 0;
      long t0 = System.nanoTime();
      try (Progress p =
          progress.create("eval " + file.getFileName() + " (" + b + ")", test.size(), "images")) {
        // The runtime's top-1 loop, in chunks of 100 so progress can be shown.
        for (int from = 0; from < test.size(); from += 100) {
          Dataset part = test.subset(from, Math.min(test.size(), from + 100));
          correct += Validation.accuracy(it, part.size(), part::sample, part::label).correct();
          p.status(
              String.format(Locale.ROOT, "accuracy %.4f", correct / (double) (from + part.size())));
          p.step(part.size());
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      JsonObject r = new JsonObject();
      r.addProperty("accuracy", correct / (double) test.size());
      r.addProperty("count", test.size());
      r.addProperty("backend", id(b));
      r.addProperty("threads", threads);
      r.addProperty("images_per_second", test.size() / secs);
      r.addProperty("model", file.toString());
      r.addProperty("coverage", coverage.get().summary());
      if (b != Backend.BUILTIN && !coverage.get().delegated() && warn != null)
        warn.accept("warning: " + coverage.get().summary());
      return r;
    }
  }

  private static void checkClassifier(Interpreter it, Dataset test, Path file) {
    TensorView in = it.input(0);
    long want = 1;
    for (int d : test.sampleShape()) want *= d;
    if (in.numElements() != want) {
      throw CliException.usage(
          "--model: "
              + file
              + " takes input "
              + Arrays.toString(in.shape())
              + ", the data has samples "
              + Arrays.toString(test.sampleShape()));
    }
  }
}
