package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.qat4j.runtime.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qat4j eval}: test-set accuracy of a .tflite model through TFLite on a chosen backend. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a .tflite classifier through TFLite on the Fashion-MNIST test set or your data (--data).",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j eval --model cnn-int8.tflite",
      "  ./qat4j eval --model cnn-int8.tflite --backend xnnpack --threads 2 --json",
      "  ./qat4j eval --model mnv2-int8.tflite --data photos/ --resize crop --mean 0.5 --std 0.5",
      "  ./qat4j eval --model downloaded.tflite --isolate",
      "",
      "JSON fields: accuracy, count, backend, threads, images_per_second"
    })
final class EvalCommand extends BaseCommand {
  @Mixin InterpreterOptions run;

  @Mixin DataOption data;

  @Mixin IsolateOption isolation;

  @Mixin SparkOption spark;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "Evaluate only the first N test images (0 = all 10000).")
  int limit;

  @Override
  JsonObject execute() throws Exception {
    Pipeline p = pipeline();
    run.check(p, isolation.isolate);
    Args.nonNegative(limit, "--limit");
    Path d = data.dir(); // a missing path is the cheapest check, before the model is read
    Finite.check(Pipeline.readTflite(run.model, "--model"), run.model, "--model");
    if (spark.on()) return onSpark(d);
    return p.withData(data)
        .isolated(isolation.isolate)
        .withCustomOps(run.customOps)
        .eval(run.model, d, run.backend, run.threads, limit);
  }

  /** The test set split over Spark tasks; counts reduced exactly (docs/SCALE.md). */
  private JsonObject onSpark(Path d) throws IOException {
    spark.refuse(isolation.isolate, "--isolate");
    spark.refuse(!run.customOps.isEmpty(), "--custom-op");
    if (run.backend != Backend.BUILTIN && run.backend != Backend.XNNPACK)
      throw CliException.usage(
          "--backend: only builtin or xnnpack with --spark, got " + run.backend);
    if (data.testData != null) d = DataOption.exists(data.testData, "--test-data");
    return SparkOption.scaleOut().eval(spark.job(data, d, limit, null), run.model, run.backend);
  }
}
