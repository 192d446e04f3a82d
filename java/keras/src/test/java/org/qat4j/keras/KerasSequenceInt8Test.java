package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.train.Adam;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Keras fixture 14 (Conv1D, MaxPooling1D, LSTM(64) with hard_sigmoid, Dense: an ECG autoencoder)
 * goes import → QAT (calibrated, then fine-tuned on its reconstruction loss over noisy sines) →
 * int8 export → verify: our simulator equals TFLite BUILTIN bit for bit, and the int8 output stays
 * close to the float model's.
 */
@Tag("native")
class KerasSequenceInt8Test {
  private static final String ECG = "14_ecg_cnn_lstm_ae_weightsonly_k212";
  private static final int LENGTH = 210;

  /**
   * {@code n} noisy periodic signals [n, 210, 1, 1], as KerasSequenceTest feeds the autoencoder.
   */
  private static Tensor signals(int n, int seed) {
    float[] x = new float[n * LENGTH];
    for (int s = 0; s < n; s++) {
      SplittableRandom r = new SplittableRandom(100 + seed + s);
      for (int i = 0; i < LENGTH; i++)
        x[s * LENGTH + i] = (float) (Math.sin(i * 0.3 + seed + s) + 0.1 * (r.nextDouble() - 0.5));
    }
    return Tensor.of(x, n, LENGTH, 1, 1);
  }

  /** A few Adam steps on the mean squared reconstruction error; returns the losses before/after. */
  private static double[] fineTune(QatModel q, List<Tensor> batches, int epochs) {
    Adam adam = new Adam(1e-4);
    double first = 0, last = 0;
    for (int e = 0; e < epochs; e++) {
      double sum = 0;
      for (Tensor x : batches) {
        ExecContext ctx = ExecContext.training(e);
        float[] y = q.model().forward(x, ctx).toArray(), t = x.toArray();
        float[] g = new float[y.length];
        for (int i = 0; i < y.length; i++) {
          float d = y[i] - t[i];
          sum += d * d / y.length;
          g[i] = 2f * d / y.length;
        }
        q.model().backward(Tensor.of(g, x.dim(0), LENGTH), ctx);
        adam.step(q.model().params());
      }
      if (e == 0) first = sum / batches.size();
      last = sum / batches.size();
    }
    return new double[] {first, last};
  }

  @Test
  void ecgLstmAutoencoderQuantizesExportsInt8AndVerifiesBitExact() throws IOException {
    Model m =
        KerasImporter.read(Fixtures.require(ECG + ".h5"), Fixtures.require(ECG + ".json"), true)
            .model();
    QatModel q = Quantize.model(m);
    List<Tensor> train = List.of(signals(16, 0), signals(16, 16), signals(16, 32));
    q.calibrate(train);
    Tensor test = signals(8, 1000);
    double[] calibrated = int8VsFloat(q, m, test);
    double[] loss = fineTune(q, train, 2);
    q.freezeObservers();
    LoweredGraph g = Int8Lowering.lower(q, DType.INT8);
    byte[] int8 = TfliteWriter.write(g);
    Dataset d = new Dataset(test.toArray(), new int[8], new int[] {LENGTH, 1, 1}, LENGTH);
    Verification.Report r =
        Verification.verify(q, int8, d, Verification.Options.defaults().withFloatModel(m));
    double[] err = int8VsFloat(q, m, test);
    System.out.printf(
        "%s int8 (%d operators): bit-exact BUILTIN %.4f (max %d LSB, %d elements), fake-quant vs int8 max %.2f"
            + " output LSB; int8 vs float after calibration: max |Δ| / max |float| %.4f, ‖Δ‖ /"
            + " ‖float‖ %.4f; QAT fine-tune (2 epochs) MSE %.5f -> %.5f, then int8 vs the"
            + " original float %.4f / %.4f; reconstruction MSE float %.5f, int8 %.5f (8 signals)%n",
        ECG,
        g.ops().size(),
        r.bitExactFractionBuiltin(),
        r.maxLsbBuiltin(),
        r.outputElements(),
        r.maxDiffOutputScale(),
        calibrated[0],
        calibrated[1],
        loss[0],
        loss[1],
        err[0],
        err[1],
        err[2],
        err[3]);
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
    assertTrue(loss[1] < loss[0], "QAT fine-tuning lowers the loss: " + loss[0] + " -> " + loss[1]);
    assertTrue(calibrated[1] < 0.1, "int8 vs float relative error " + calibrated[1]);
  }

  /**
   * The int8 export with float I/O on TFLite BUILTIN against the float model: max |Δ| / max
   * |float|, ‖Δ‖ / ‖float‖, and each one's reconstruction MSE of the input.
   */
  private static double[] int8VsFloat(QatModel q, Model m, Tensor x) {
    byte[] bytes = TfliteWriter.write(Int8Lowering.lower(q, DType.FLOAT32));
    float[] want = m.predict(x).toArray(), in = x.toArray();
    double maxD = 0, maxF = 0, d2 = 0, f2 = 0, mseF = 0, mseQ = 0;
    try (TfliteModel t = TfliteModel.fromBytes(bytes);
        Interpreter it = Interpreter.create(t)) {
      for (int s = 0; s < x.dim(0); s++) {
        float[] one = new float[LENGTH];
        System.arraycopy(in, s * LENGTH, one, 0, LENGTH);
        it.input(0).write(one);
        it.invoke();
        float[] got = it.output(0).readFloats();
        for (int i = 0; i < LENGTH; i++) {
          double f = want[s * LENGTH + i], d = got[i] - f;
          maxD = Math.max(maxD, Math.abs(d));
          maxF = Math.max(maxF, Math.abs(f));
          d2 += d * d;
          f2 += f * f;
          mseF += (f - one[i]) * (f - one[i]);
          mseQ += (got[i] - one[i]) * (got[i] - one[i]);
        }
      }
    }
    int total = x.size();
    return new double[] {maxD / maxF, Math.sqrt(d2 / f2), mseF / total, mseQ / total};
  }
}
