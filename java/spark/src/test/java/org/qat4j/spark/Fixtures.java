package org.qat4j.spark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.data.UserData;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteWriter;

/**
 * Shared test material, built once per JVM: a small CNN trained briefly on real Fashion-MNIST, its
 * saved-model bytes, its QAT int8 export (int8 I/O), and one Spark context (local[2,4]: two task
 * threads, a task may fail 4 times; unless {@code qat4j.spark.master} says otherwise).
 */
final class Fixtures {
  static final int TEST_SAMPLES = 600;
  private static Fixtures instance;

  final Model model;
  final QatModel qat;
  final byte[] savedModel;
  final byte[] int8;
  final DataRef test;
  final DataRef train;
  final JavaSparkContext sc;

  private Fixtures() throws IOException {
    Path dir = FashionMnist.defaultDir();
    train = DataRef.labelled(dir, UserData.Split.TRAIN, 1024);
    test = DataRef.labelled(dir, UserData.Split.TEST, TEST_SAMPLES);
    model =
        new Sequential(7, "input", 28, 28, 1)
            .add(new Conv2D("conv", 8, 3, 3))
            .add(new ReLU("relu"))
            .add(new MaxPool2D("pool", 2, 2))
            .add(new Flatten("flat"))
            .add(new Dense("fc", 32))
            .add(new ReLU("relu2"))
            .add(new Dense("logits", 10))
            .build();
    Dataset tr = train.load();
    new Trainer(model, new Adam(2e-3)).fit(tr, test.load(), 1, 64, 7);
    Path f = Files.createTempFile("qat4j-spark-fixture", ".q4j");
    ModelIO.save(model, f);
    savedModel = Files.readAllBytes(f);
    Files.delete(f);
    qat = Quantize.model(model);
    qat.calibrate(DistributedPtq.batches(tr, 0, 256, 64));
    int8 = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    // -Dqat4j.spark.master=local-cluster[2,1,1024] runs every test on two separate executor JVMs
    // (docs/SCALE.md)
    String home = System.getProperty("spark.test.home");
    if (home != null) { // -Pspark-cluster: Spark's launcher wants a home with jars/ and RELEASE
      Files.createDirectories(Path.of(home, "jars"));
      if (!Files.exists(Path.of(home, "RELEASE"))) Files.createFile(Path.of(home, "RELEASE"));
    }
    sc =
        SparkContexts.open(
            System.getProperty("qat4j.spark.master", "local[2,4]"), "qat4j-spark-tests");
    Runtime.getRuntime().addShutdownHook(new Thread(sc::close));
  }

  /** The fixtures, or a skip when Fashion-MNIST is not installed. */
  static synchronized Fixtures get() throws IOException {
    assumeTrue(
        FashionMnist.available(),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    if (instance == null) instance = new Fixtures();
    return instance;
  }
}
