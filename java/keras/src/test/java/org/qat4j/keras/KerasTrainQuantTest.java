package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Evaluation;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Imported Keras models are ordinary qat4j models: they evaluate, train, quantize, export and
 * verify.
 */
class KerasTrainQuantTest {
  private static FashionMnist.Splits data() throws IOException {
    assumeTrue(
        FashionMnist.available(),
        "Fashion-MNIST not installed (" + FashionMnist.defaultDir() + "), skipping");
    return FashionMnist.load();
  }

  @Test
  void fashionModelsClassifyTheTestSet() throws IOException {
    Dataset test = data().test();
    for (String file :
        new String[] {"01_fashion_cnn_k341.keras", "02_fashion_mlp_nested_tfk214.keras"}) {
      Model m = KerasImporter.read(Fixtures.require(file), true).model();
      Evaluation e = new Trainer(m, new Adam(1e-3)).evaluate(test, 250);
      System.out.printf(
          "%s: Fashion-MNIST test accuracy %.4f (%d images), loss %.4f%n",
          file, e.accuracy(), e.count(), e.loss());
      // neither author states an accuracy; a wrongly read weight or layout gives chance level
      // (0.10)
      assertTrue(e.accuracy() > 0.85, file + ": accuracy " + e.accuracy());
    }
  }

  @Test
  void oneTrainingStepLowersTheLossOnItsBatch() throws IOException {
    Dataset batch = data().train().subset(0, 64);
    Model m = KerasImporter.read(Fixtures.require("01_fashion_cnn_k341.keras"), true).model();
    Trainer t = new Trainer(m, new Adam(1e-4));
    double before = t.evaluate(batch, 64).loss();
    t.fit(batch, null, 1, 64, 1);
    assertEquals(1, t.globalStep());
    double after = t.evaluate(batch, 64).loss();
    System.out.printf(
        "01_fashion_cnn_k341.keras: loss on the batch %.5f -> %.5f after one Adam(1e-4) step%n",
        before, after);
    assertTrue(after < before, "loss " + before + " -> " + after);
  }

  @Test
  @Tag("native")
  void quantizesExportsInt8AndVerifiesBitExact() throws IOException {
    FashionMnist.Splits d = data();
    Model m = KerasImporter.read(Fixtures.require("01_fashion_cnn_k341.keras"), true).model();
    QatModel qat = Quantize.model(m);
    qat.calibrate(images(d.train(), 8));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    Verification.Report r =
        Verification.verify(
            qat,
            tflite,
            d.test().subset(0, 500),
            Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "01_fashion_cnn_k341.keras int8: bit-exact BUILTIN %.4f, top-1 agreement %.4f, accuracy float %.4f int8 %.4f (500 images)%n",
        r.bitExactFractionBuiltin(), r.top1Agreement(), r.accuracyFloat(), r.accuracyInt8());
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
    assertTrue(
        r.accuracyInt8() >= r.accuracyFloat() - 0.02,
        "int8 " + r.accuracyInt8() + " vs float " + r.accuracyFloat());
  }

  @Test
  @Tag("native")
  void separableConvBatchNormNetworkVerifiesBitExact() throws IOException {
    // mini-Xception (SeparableConv2D, BatchNormalization folded by QAT, Add,
    // GlobalAveragePooling2D);
    // real images, not faces: only the simulator-vs-TFLite agreement is asserted
    Dataset faces = upscaled(data().test().subset(0, 160), 64, 7);
    Model m = KerasImporter.read(Fixtures.require("06_fer_mini_xception_k205.h5"), true).model();
    QatModel qat = Quantize.model(m);
    qat.calibrate(images(faces, 2));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    Verification.Report r =
        Verification.verify(
            qat, tflite, faces.subset(128, 160), Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "06_fer_mini_xception_k205.h5 int8: bit-exact BUILTIN %.4f, top-1 agreement %.4f (32 images)%n",
        r.bitExactFractionBuiltin(), r.top1Agreement());
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
  }

  @Test
  @Tag("native")
  void teachableMachineMobileNetV2VerifiesBitExact() throws Exception {
    // nested Sequential → MobileNetV2 → head: ZeroPadding2D, DepthwiseConv2D, BN folded, ReLU6,
    // Add, GAP, Dense
    java.nio.file.Path dir =
        Fixtures.require("twins/02_deafassist_sign24/keras_model.h5").getParent();
    String[] files = {"B.jpg", "HELLO.jpg", "PEACE.jpg"};
    float[] x = new float[files.length * 224 * 224 * 3];
    for (int i = 0; i < files.length; i++) {
      float[] img = TwinImages.jpegTeachableMachine(dir.resolve("test_images/" + files[i]), 224);
      System.arraycopy(img, 0, x, i * img.length, img.length);
    }
    Dataset signs = new Dataset(x, new int[] {1, 12, 13}, new int[] {224, 224, 3}, 24);
    Model m = KerasImporter.read(dir.resolve("keras_model.h5"), true).model();
    QatModel qat = Quantize.model(m);
    qat.calibrate(images(signs, 1));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    Verification.Report r =
        Verification.verify(qat, tflite, signs, Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "02_deafassist_sign24 int8: bit-exact BUILTIN %.4f, max LSB %d, top-1 agreement %.4f (3 images)%n",
        r.bitExactFractionBuiltin(), r.maxLsbBuiltin(), r.top1Agreement());
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
  }

  @Test
  @Tag("native")
  void cervicalEluConcatNetworkVerifiesBitExact() throws IOException {
    // Conv2D(activation='elu') → Conv2D + ELU (int8 lookup table), Concatenate, BatchNormalization
    // after the input and the concats (no conv to fold into: int8 MUL + ADD), MaxPooling2D,
    // Dropout; Fashion-MNIST images, not cervix photos: only simulator-vs-TFLite is asserted
    // 256×256×36 activations: small batches keep the native buffers small
    Dataset photos = rgb(upscaled(data().test().subset(0, 12), 256, 3));
    Model m = KerasImporter.read(Fixtures.require("09_cervical_concat_cnn_k222.h5"), true).model();
    QatModel qat = Quantize.model(m);
    List<Tensor> calibration = new ArrayList<>();
    for (Batch b : photos.subset(0, 8).batches(4, false, 0)) calibration.add(b.images().copy());
    qat.calibrate(calibration);
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    Verification.Report r =
        Verification.verify(
            qat, tflite, photos.subset(8, 12), Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "09_cervical_concat_cnn_k222.h5 int8: bit-exact BUILTIN %.4f, max LSB %d, top-1 agreement %.4f (4 images)%n",
        r.bitExactFractionBuiltin(), r.maxLsbBuiltin(), r.top1Agreement());
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
  }

  /** Grey images as three equal channels. */
  private static Dataset rgb(Dataset d) {
    int px = d.sample(0).length;
    float[] x = new float[d.size() * px * 3];
    int[] labels = new int[d.size()];
    for (int n = 0; n < d.size(); n++) {
      float[] s = d.sample(n);
      for (int i = 0; i < px; i++) for (int c = 0; c < 3; c++) x[(n * px + i) * 3 + c] = s[i];
      labels[n] = d.label(n);
    }
    int side = (int) Math.round(Math.sqrt(px));
    return new Dataset(x, labels, new int[] {side, side, 3}, d.numClasses());
  }

  /**
   * Nearest-neighbour upscale of 28x28x1 images to size x size x 1, labels folded into {@code
   * classes}.
   */
  private static Dataset upscaled(Dataset d, int size, int classes) {
    float[] x = new float[d.size() * size * size];
    int[] labels = new int[d.size()];
    for (int n = 0; n < d.size(); n++) {
      float[] s = d.sample(n);
      for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++)
          x[(n * size + i) * size + j] = s[(i * 28 / size) * 28 + j * 28 / size];
      labels[n] = d.label(n) % classes;
    }
    return new Dataset(x, labels, new int[] {size, size, 1}, classes);
  }

  private static List<Tensor> images(Dataset d, int batches) {
    List<Tensor> out = new ArrayList<>();
    for (Batch b : d.batches(64, false, 0)) {
      if (out.size() == batches) break;
      out.add(b.images().copy());
    }
    return out;
  }
}
