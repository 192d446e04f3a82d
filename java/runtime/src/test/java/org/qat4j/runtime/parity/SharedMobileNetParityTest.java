package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.SharedModels;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;

/**
 * The shared uint8 MobileNet v1 (a real TFLite-converter output, not ours) read by
 * TfliteReader.toLoweredGraph and run by the integer simulator equals TFLite: bit-exact against
 * BUILTIN (DOUBLE) and XNNPACK (XNNPACK_F32) on cat.bmp and a few synthetic images. Skips when
 * ../shared/models is absent (system property qat4j.sharedModels).
 */
@Tag("native")
class SharedMobileNetParityTest {
  /** Smooth colour waves plus noise: natural-image-like statistics without a dataset. */
  static byte[] synthetic(SplittableRandom r, int size) {
    byte[] x = new byte[size * size * 3];
    double fx = r.nextDouble() * 0.2, fy = r.nextDouble() * 0.2, ph = r.nextDouble() * 6;
    for (int i = 0; i < x.length; i++) {
      int c = i % 3, px = (i / 3) % size, py = i / (3 * size);
      double v = 128 + 100 * Math.sin(fx * px + fy * py + ph + c) + r.nextInt(40) - 20;
      x[i] = (byte) Math.max(0, Math.min(255, (int) v));
    }
    return x;
  }

  @Test
  void simulatorEqualsTfliteOnRealUint8MobileNet() throws Exception {
    byte[] bytes = Files.readAllBytes(SharedModels.require("mobilenet_v1_0.25_128_quant.tflite"));
    LoweredGraph g = TfliteReader.read(bytes).toLoweredGraph();
    assertEquals(DType.UINT8, g.tensor(g.inputs()[0]).type());
    List<byte[]> images = new ArrayList<>();
    images.add(SharedModels.catPixels(128));
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 3; i++) images.add(synthetic(r, 128));
    Simulator exact = new Simulator(g, RoundingMode.DOUBLE),
        xf = new Simulator(g, RoundingMode.XNNPACK_F32);
    Parity.Stats builtin = Parity.NONE, xnnF32 = Parity.NONE, xnn = Parity.NONE;
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter b = Parity.open(m, Backend.BUILTIN);
        Interpreter x = Parity.open(m, Backend.XNNPACK)) {
      for (byte[] img : images) {
        Object want = exact.run(img)[0];
        Object xo = Parity.invoke(x, new Object[] {img}, 0);
        builtin =
            builtin.plus(
                Parity.diff(DType.UINT8, want, Parity.invoke(b, new Object[] {img}, 0), 1));
        xnnF32 = xnnF32.plus(Parity.diff(DType.UINT8, xf.run(img)[0], xo, 1));
        xnn = xnn.plus(Parity.diff(DType.UINT8, want, xo, 1));
      }
    }
    Parity.assertExact(builtin, "MobileNet: TFLite BUILTIN vs simulator DOUBLE");
    Parity.assertExact(xnnF32, "MobileNet: TFLite XNNPACK vs simulator XNNPACK_F32");
    // XNNPACK vs the builtin arithmetic is reported, not bounded: 28 requantizations compound
    // (measured max 6 LSB).
    System.out.printf(
        "MobileNet %d images: BUILTIN exact %d/%d; XNNPACK vs DOUBLE exact %d/%d max %d LSB%n",
        images.size(),
        builtin.exact(),
        builtin.elements(),
        xnn.exact(),
        xnn.elements(),
        xnn.maxLsb());
  }
}
