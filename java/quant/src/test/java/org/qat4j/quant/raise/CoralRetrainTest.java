package org.qat4j.quant.raise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.ImageFolder;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.FineTune;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;
import org.qat4j.tflite.edgetpu.PreflightReport;

/**
 * The Coral "retrain a classifier" workflow in Java: the uint8 Coral MobileNet V1 0.25 is imported
 * with dequantized weights, cut after its average pool, given a new 3-class head that alone trains
 * (on crops of the real cat, bird and Grace Hopper photos in shared/models), quantized, QAT
 * fine-tuned, exported int8 and pre-flighted for the EdgeTPU.
 */
class CoralRetrainTest {
  @Test
  void importRetrainLastLayerExportInt8AndEveryOperatorMapsToTheEdgeTpu(@TempDir Path dir)
      throws IOException {
    Path file = PhotoCrops.shared().resolve("mobilenet_v1_0.25_128_quant.tflite");
    assumeTrue(Files.isRegularFile(file), file + " absent: set -Dqat4j.sharedModels (skipping)");
    PhotoCrops.write(dir.resolve("train"), 8, 0);
    PhotoCrops.write(dir.resolve("test"), 4, 100);
    ImageFolder loader =
        new ImageFolder(128, 128, 3, new float[] {.5f, .5f, .5f}, new float[] {.5f, .5f, .5f});
    Dataset train = loader.load(dir.resolve("train")), test = loader.load(dir.resolve("test"));

    Model imported = TfliteImporter.dequantized(Files.readAllBytes(file));
    String pool = lastOf(imported, AveragePool2D.class);
    Model m = FineTune.newHead(imported, pool, 3, 1);
    long trainable = FineTune.trainableFrom(m, FineTune.HEAD);
    assertEquals(256 * 3 + 3, trainable, "only the new Dense trains");
    float[] backbone = firstKernel(m);

    new Trainer(m, new Adam(1e-2)).fit(train, null, 15, 8, 1);
    assertTrue(accuracy(m, test) >= 0.9, "float accuracy on held-out crops " + accuracy(m, test));

    QatModel qat = Quantize.model(m);
    List<Tensor> cal = new ArrayList<>();
    for (Batch b : train.batches(8, false, 0)) cal.add(b.images().copy());
    qat.calibrate(cal);
    new Trainer(qat.model(), new Adam(1e-3)).fit(train, null, 2, 8, 2);
    assertTrue(
        Arrays.equals(backbone, firstKernel(qat.model())),
        "the frozen backbone keeps its weights through QAT");

    LoweredGraph g = Int8Lowering.lower(qat, DType.INT8);
    byte[] tflite = TfliteWriter.write(g);
    PreflightReport r = EdgeTpuPreflight.check(TfliteReader.read(tflite));
    assertEquals(0, r.cpuOps(), r.text());
    assertEquals(r.totalOps(), r.edgetpuOps(), r.text());
    double acc = int8Accuracy(g, test);
    System.out.printf(
        "Coral retrain: %d train / %d test crops, float %.3f, int8 (simulator) %.3f, %d ops mapped%n",
        train.size(), test.size(), accuracy(m, test), acc, r.edgetpuOps());
    assertTrue(acc >= 0.9, "int8 accuracy on held-out crops " + acc);
  }

  private static String lastOf(Model m, Class<?> type) {
    String name = null;
    for (Node n : m.nodes()) if (type.isInstance(n.layer())) name = n.name();
    assertTrue(name != null, "no " + type.getSimpleName() + " in the imported model");
    return name;
  }

  private static float[] firstKernel(Model m) {
    for (Param p : m.params().values()) if (p.value().rank() == 4) return p.value().toArray();
    throw new AssertionError("no convolution kernel");
  }

  private static double accuracy(Model m, Dataset d) {
    int ok = 0;
    for (int i = 0; i < d.size(); i++) {
      Tensor y = m.predict(Tensor.of(d.sample(i), 1, 128, 128, 3));
      if (argmax(y.toArray()) == d.label(i)) ok++;
    }
    return ok / (double) d.size();
  }

  private static double int8Accuracy(LoweredGraph g, Dataset d) {
    Simulator sim = new Simulator(g);
    var in = g.tensor(g.inputs()[0]).quant();
    int ok = 0;
    for (int i = 0; i < d.size(); i++) {
      float[] x = d.sample(i);
      byte[] q = new byte[x.length];
      for (int k = 0; k < x.length; k++)
        q[k] = (byte) Math.max(-128, Math.min(127, Math.round(x[k] / in.scale()) + in.zeroPoint()));
      float[] y = Simulator.toFloat(g.tensor(g.outputs()[0]), sim.run(q)[0]);
      if (argmax(y) == d.label(i)) ok++;
    }
    return ok / (double) d.size();
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
