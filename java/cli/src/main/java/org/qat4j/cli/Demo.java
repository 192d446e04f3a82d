package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The demo pipeline; each stage's JSON goes into report.json and the HTML report. */
final class Demo {
  private final Pipeline.ProgressFactory progress;
  private final Consumer<String> info;
  private final Path data;
  private final Path out;
  private final boolean quick;
  private final long seed;

  Demo(Pipeline.ProgressFactory progress, Consumer<String> info, Path data, Path out, boolean quick, long seed) {
    this.progress = progress;
    this.info = info;
    this.data = data;
    this.out = out;
    this.quick = quick;
    this.seed = seed;
  }

  JsonObject run() throws Exception {
    throw CliException.notAvailable("demo (needs training, quantization, export and runtime)");
  }
}
