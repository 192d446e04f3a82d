package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The one place where the CLI calls the module APIs (core training, quant, tflite, runtime). Each
 * step returns the JSON fields of the machine-readable contract; commands and the demo share it.
 */
final class Pipeline {
  interface ProgressFactory { Progress create(String task, long total, String unit); }

  enum IoType { FLOAT, INT8, UINT8; @Override public String toString() { return name().toLowerCase(java.util.Locale.ROOT); } }

  /** Arguments of a training run (float or QAT). {@code model} is an architecture name, zoo:NAME or a saved file. */
  record TrainSpec(String model, Path data, int epochs, long seed, int batchSize, float lr, int limit, Path out, boolean qat) {}

  private final ProgressFactory progress;
  private final Consumer<String> info;

  Pipeline(ProgressFactory progress, Consumer<String> info) {
    this.progress = progress;
    this.info = info;
  }

  /** Checks a model reference: zoo:NAME, or an existing file (a .tflite only when {@code allowTflite}). */
  static String modelArg(String ref, String option, boolean allowTflite) {
    if (ref.startsWith("zoo:")) {
      Args.zooName(ref, option);
      return ref;
    }
    Path p = Args.existingFile(Path.of(ref), option);
    if (Args.isTflite(p) && !allowTflite) {
      throw CliException.usage(option + ": " + ref + " is a .tflite file; this command needs a saved qat4j model or zoo:NAME");
    }
    return ref;
  }

  JsonObject train(TrainSpec s) { throw CliException.notAvailable("float training (org.qat4j.core Trainer / FashionMnist / model save)"); }

  JsonObject quantize(TrainSpec s) { throw CliException.notAvailable("QAT fine-tuning (org.qat4j.quant Quantize)"); }

  JsonObject ptq(String model, Path data, int calibration, IoType io, Path out) { throw CliException.notAvailable("post-training quantization (org.qat4j.quant Ptq)"); }

  JsonObject export(String model, boolean int8, IoType io, long seed, Path out) { throw CliException.notAvailable("export (lowering + TfliteWriter)"); }

  JsonObject eval(Path model, Path data, Backend backend, int threads, int limit) { throw CliException.notAvailable("evaluation (org.qat4j.runtime Interpreter)"); }

  JsonObject verify(String model, Path tflite, Path data, int limit) { throw CliException.notAvailable("verification (integer simulator + runtime)"); }

  JsonObject bench(Path model, Backend backend, int threads, int runs, int warmup, double minSecs, double maxSecs) {
    throw CliException.notAvailable("benchmark (org.qat4j.runtime Benchmark)");
  }

  JsonObject inspect(Path file) { throw CliException.notAvailable("inspect (org.qat4j.tflite reader)"); }

  JsonObject edgetpuDevices() { return Probes.edgetpu(); }

  JsonObject edgetpuCheck(Path file) { throw CliException.notAvailable("EdgeTPU pre-flight (org.qat4j.tflite)"); }
}
