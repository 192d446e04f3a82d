package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Test support: an imported float model through QAT (calibrated on the first 64 samples of {@code
 * d}), int8 export and verification on the rest against TFLite BUILTIN, asserted bit-exact.
 */
final class Int8RoundTrip {
  private Int8RoundTrip() {}

  static void assertBitExact(String what, Model m, Dataset d) {
    QatModel qat = Quantize.model(m);
    List<Tensor> cal = new ArrayList<>();
    for (Batch b : d.subset(0, 64).batches(16, false, 0)) cal.add(b.images().copy());
    qat.calibrate(cal);
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    Verification.Report r =
        Verification.verify(
            qat, tflite, d.subset(64, d.size()), Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "%s int8: bit-exact BUILTIN %.4f, max LSB %d (%d inputs)%n",
        what, r.bitExactFractionBuiltin(), r.maxLsbBuiltin(), d.size() - 64);
    assertEquals(1.0, r.bitExactFractionBuiltin(), what + ": simulator vs TFLite BUILTIN");
  }
}
