package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.MultiTaskTrainer;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.OutputParity;
import org.qat4j.verify.Verification;

/**
 * A two-input, two-output Functional model on Fashion-MNIST: the image and its 2×2-averaged
 * thumbnail in; the 10 classes and 3 groups (tops, footwear, other) out. Trained with a weighted
 * loss, quantized, QAT fine-tuned, exported int8 and checked bit-exact against TFLite BUILTIN.
 */
@Tag("native")
class MultiIoPipelineTest {
  /** Group of each Fashion-MNIST class: 0 tops, 1 footwear, 2 trousers and bags. */
  private static final int[] GROUP = {0, 2, 0, 0, 0, 1, 0, 1, 2, 1};

  /** The fixture: image [28,28,1] and thumb [14,14,1] in; class [10] and group [3] out. */
  static Model twoInTwoOut(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node img = g.input("image", 28, 28, 1);
    Node thumb = g.input("thumb", 14, 14, 1);
    Node a =
        g.add(new Conv2D("a_conv", 8, 3, 3).padding(Padding.SAME).activation(Activation.RELU), img);
    a = g.add(new MaxPool2D("a_pool", 2, 2), a);
    Node b = g.add(new Conv2D("b_conv", 8, 3, 3).padding(Padding.SAME).useBias(false), thumb);
    b = g.add(new ReLU("b_relu"), g.add(new BatchNormalization("b_bn"), b));
    Node c = g.add(new Concatenate("cat"), a, b);
    c =
        g.add(
            new Conv2D("c_conv", 16, 3, 3)
                .strides(2, 2)
                .padding(Padding.SAME)
                .activation(Activation.RELU),
            c);
    Node cls = g.add(new Dense("class", 10), g.add(new Flatten("flat"), c));
    Node sum = g.add(new Add("sum"), a, b);
    sum = g.add(new Flatten("sum_flat"), g.add(new MaxPool2D("sum_pool", 2, 2), sum));
    Node grp = g.add(new Dense("group", 3), sum);
    return g.build(cls, grp);
  }

  /** {images, thumbnails} of the first n samples. */
  static float[][] inputs(Dataset d, int n) {
    float[] img = new float[n * 784], th = new float[n * 196];
    for (int s = 0; s < n; s++) {
      float[] x = d.sample(s);
      System.arraycopy(x, 0, img, s * 784, 784);
      for (int r = 0; r < 14; r++)
        for (int c = 0; c < 14; c++) {
          int o = 2 * r * 28 + 2 * c;
          th[s * 196 + r * 14 + c] = (x[o] + x[o + 1] + x[o + 28] + x[o + 29]) / 4;
        }
    }
    return new float[][] {img, th};
  }

  static int[][] labels(Dataset d, int n) {
    int[][] y = {new int[n], new int[n]};
    for (int s = 0; s < n; s++) {
      y[0][s] = d.label(s);
      y[1][s] = GROUP[d.label(s)];
    }
    return y;
  }

  @Test
  void trainQuantizeFineTuneExportAndVerifyBitExact(@TempDir Path dir) throws Exception {
    assumeTrue(FashionMnist.available(), "Fashion-MNIST not at " + FashionMnist.defaultDir());
    FashionMnist.Splits all = FashionMnist.load();
    int nTrain = 4000, nTest = 500;
    float[][] xTrain = inputs(all.train(), nTrain), xTest = inputs(all.test(), nTest);
    int[][] yTrain = labels(all.train(), nTrain), yTest = labels(all.test(), nTest);

    Model model = twoInTwoOut(11);
    MultiTaskTrainer fl = new MultiTaskTrainer(model, new Adam(2e-3), 1.0, 0.5);
    List<Double> curve = fl.fit(xTrain, yTrain, 3, 64, 1);
    assertTrue(curve.get(2) < curve.get(0), "float loss " + curve);
    double[] accFloat = fl.accuracy(xTest, yTest, 100);
    assertTrue(accFloat[0] > 0.7 && accFloat[1] > 0.9, "float " + Arrays.toString(accFloat));

    LoweredGraph f32 = FloatLowering.lower(model);
    assertEquals(2, f32.inputs().length);
    assertEquals(2, f32.outputs().length);

    QatModel qat = Quantize.model(model);
    assertEquals(2, qat.model().inputs().size());
    assertEquals(1, qat.foldedBatchNorms().size(), "b_bn folds into b_conv");
    int[][] shapes = {{28, 28, 1}, {14, 14, 1}};
    qat.calibrateInputs(new MultiDataset(inputs(all.train(), 500), shapes, null).batches(100));
    MultiTaskTrainer qt = new MultiTaskTrainer(qat.model(), new Adam(2e-4), 1.0, 0.5);
    qt.fit(xTrain, yTrain, 1, 64, 2);
    double[] accQat = qt.accuracy(xTest, yTest, 100);

    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    assertBitExact(tflite, nTest, xTest);
    double[] accInt8 = tfliteAccuracy(tflite, xTest, yTest);
    System.out.printf(
        "two-in two-out on %d test images: float %s, fake-quant %s, int8 TFLite %s%n",
        nTest, Arrays.toString(accFloat), Arrays.toString(accQat), Arrays.toString(accInt8));
    for (int o = 0; o < 2; o++)
      assertTrue(
          accInt8[o] >= accQat[o] - 0.02,
          "int8 " + Arrays.toString(accInt8) + " vs fake-quant " + Arrays.toString(accQat));

    assertVerificationAgrees(qat, tflite, new MultiDataset(xTest, shapes, yTest), accQat, accInt8);

    Path saved = dir.resolve("qat.zip");
    qat.save(saved);
    byte[] again = TfliteWriter.write(Int8Lowering.lower(QatModel.load(saved), DType.INT8));
    assertArrayEquals(tflite, again, "the saved QAT model exports the same bytes");
  }

  /** The multi-input {@link Verification}: bit-exact on every output, the same accuracies. */
  private static void assertVerificationAgrees(
      QatModel qat, byte[] tflite, MultiDataset test, double[] accQat, double[] accInt8) {
    Verification.Report v = Verification.verify(qat, tflite, test, Verification.Options.defaults());
    assertEquals(1.0, v.bitExactFractionBuiltin(), "every output, " + v.outputs());
    assertEquals(List.of("class", "group"), v.outputs().stream().map(o -> o.name()).toList());
    for (int o = 0; o < 2; o++) {
      assertEquals(accInt8[o], v.outputs().get(o).accuracyInt8(), "output " + o);
      assertEquals(accQat[o], v.outputs().get(o).accuracyFakeQuant(), 1e-9, "output " + o);
    }
  }

  private static void assertBitExact(byte[] tflite, int n, float[][] x) {
    List<OutputParity.Result> parity = OutputParity.check(tflite, n, x);
    assertEquals(
        List.of("class", "group"), parity.stream().map(OutputParity.Result::output).toList());
    for (OutputParity.Result r : parity) {
      assertEquals(1.0, r.exactFraction(), r.toString());
      assertEquals(0, r.maxLsb(), r.toString());
    }
  }

  /** Top-1 accuracy of each output of the .tflite in TFLite BUILTIN (real in, real out). */
  private static double[] tfliteAccuracy(byte[] tflite, float[][] x, int[][] y) {
    int n = y[0].length;
    long[] hits = new long[2];
    try (TfliteModel m = TfliteModel.fromBytes(tflite);
        Interpreter it = Interpreter.create(m)) {
      for (int s = 0; s < n; s++) {
        it.input(0).writeReal(Arrays.copyOfRange(x[0], s * 784, (s + 1) * 784));
        it.input(1).writeReal(Arrays.copyOfRange(x[1], s * 196, (s + 1) * 196));
        it.invoke();
        for (int o = 0; o < 2; o++) if (argmax(it.output(o).readReal()) == y[o][s]) hits[o]++;
      }
    }
    return new double[] {hits[0] / (double) n, hits[1] / (double) n};
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
