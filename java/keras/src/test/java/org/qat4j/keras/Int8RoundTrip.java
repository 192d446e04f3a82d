package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Test support: an imported float model through QAT (calibrated on the first 64 samples of {@code
 * d}, or on given samples for every input), int8 export and verification against TFLite BUILTIN,
 * asserted bit-exact.
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

  /**
   * The same for any number of inputs: calibrates on {@code cal} in batches of 8, verifies on
   * {@code check}; returns the report.
   */
  static Verification.Report assertBitExact(
      String what, Model m, MultiDataset cal, MultiDataset check) {
    QatModel qat = Quantize.model(m);
    qat.calibrateInputs(cal.batches(8));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8));
    Verification.Report r =
        Verification.verify(qat, tflite, check, Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "%s int8: bit-exact BUILTIN %.4f, max LSB %d (calibrated on %d, verified on %d inputs)%n",
        what, r.bitExactFractionBuiltin(), r.maxLsbBuiltin(), cal.size(), check.size());
    assertEquals(1.0, r.bitExactFractionBuiltin(), what + ": simulator vs TFLite BUILTIN");
    return r;
  }
}
