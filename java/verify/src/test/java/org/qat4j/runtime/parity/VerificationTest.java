package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.*;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/** The verification API on a small conv net with random weights and random labels. */
@Tag("native")
class VerificationTest {
  private static final int N = 48;

  static Model net(long seed) {
    return new Sequential(seed, "input", 12, 12, 1)
        .add(new Conv2D("conv", 6, 3, 3).useBias(false))
        .add(new BatchNormalization("bn"))
        .add(new ReLU("relu"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flat"))
        .add(new Dense("fc", 16))
        .add(new ReLU("relu2"))
        .add(new Dense("logits", 5))
        .build();
  }

  static float[] images(SplittableRandom r) {
    float[] x = new float[N * 144];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
    return x;
  }

  static QatModel qat(long seed, float[] x) {
    QatModel q = Quantize.model(net(seed));
    q.calibrate(List.of(Tensor.of(x, N, 12, 12, 1)));
    return q;
  }

  static int[] labels(SplittableRandom r) {
    int[] l = new int[N];
    for (int i = 0; i < N; i++) l[i] = r.nextInt(5);
    return l;
  }

  @Test
  void matchingExportIsBitExactAndAgrees() {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = images(r);
    int[] labels = labels(r);
    QatModel q = qat(1, x);
    float[] before = q.model().predict(Tensor.of(x, N, 12, 12, 1)).toArray();
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    byte[] ptq =
        TfliteWriter.write(
            Int8Lowering.lower(
                Ptq.quantize(net(1), List.of(Tensor.of(x, N, 12, 12, 1))), DType.FLOAT32));
    Verification.Report rep =
        Verification.verify(
            q,
            tflite,
            x,
            labels,
            Verification.Options.defaults().withPtqTflite(ptq).withSqnrSamples(8));
    assertEquals(N, rep.samples());
    assertEquals(N * 5L, rep.outputElements());
    assertEquals(1.0, rep.bitExactFractionBuiltin());
    assertEquals(0, rep.maxLsbBuiltin());
    assertEquals(1.0, rep.bitExactFractionXnnpackF32Sim());
    assertTrue(rep.maxLsbXnnpack() <= 1, "XNNPACK " + rep.maxLsbXnnpack() + " LSB");
    assertEquals(
        rep.accuracyInt8(), rep.accuracySimulator(), "bit-exact outputs give equal accuracy");
    assertTrue(
        rep.top1Agreement() >= 0.9, "fake-quant vs int8 top-1 agreement " + rep.top1Agreement());
    assertTrue(
        rep.maxDiffOutputScale() <= 2,
        "fake-quant vs int8 " + rep.maxDiffOutputScale() + " output LSB");
    assertFalse(Double.isNaN(rep.accuracyPtqInt8()));
    List<String> layers = rep.perLayerSqnr().stream().map(Verification.LayerSqnr::tensor).toList();
    assertTrue(layers.containsAll(List.of("conv", "fc", "logits")), "SQNR layers " + layers);
    for (Verification.LayerSqnr s : rep.perLayerSqnr())
      assertTrue(s.sqnrDb() > 15, s + " is implausibly low for 8 bits");
    assertArrayEquals(
        before,
        q.model().predict(Tensor.of(x, N, 12, 12, 1)).toArray(),
        "fake-quant switches restored");
    Map<String, Object> m = rep.toMap();
    for (String k :
        List.of(
            "bit_exact_fraction_builtin",
            "max_lsb_builtin",
            "bit_exact_fraction_xnnpack",
            "max_lsb_xnnpack",
            "top1_agreement",
            "accuracy_float",
            "accuracy_int8",
            "accuracy_ptq_int8",
            "per_layer_sqnr")) {
      assertTrue(m.containsKey(k), "toMap lacks " + k);
    }
    assertEquals(rep.bitExactFractionBuiltin(), m.get("bit_exact_fraction_builtin"));
  }

  @Test
  void exportOfAnotherModelIsCaught() {
    SplittableRandom r = new SplittableRandom(4);
    float[] x = images(r);
    QatModel q = qat(1, x);
    byte[] other = TfliteWriter.write(Int8Lowering.lower(qat(2, x), DType.FLOAT32));
    Verification.Report rep =
        Verification.verify(
            q, other, x, labels(r), Verification.Options.defaults().withSqnrSamples(0));
    assertEquals(1.0, rep.bitExactFractionBuiltin(), "the simulator runs the given bytes");
    assertTrue(
        rep.maxDiffOutputScale() > 3,
        "a different model's export must disagree, got " + rep.maxDiffOutputScale() + " LSB");
    assertTrue(rep.top1Agreement() < 0.9, "top-1 agreement " + rep.top1Agreement());
    assertTrue(rep.perLayerSqnr().isEmpty());
    assertNull(rep.toMap().get("accuracy_ptq_int8"));
  }

  @Test
  void floatModelWithPtqExport() {
    SplittableRandom r = new SplittableRandom(6);
    float[] x = images(r);
    Model f = net(1);
    byte[] ptq =
        TfliteWriter.write(
            Int8Lowering.lower(Ptq.quantize(f, List.of(Tensor.of(x, N, 12, 12, 1))), DType.UINT8));
    Dataset d = new Dataset(x, labels(r), new int[] {12, 12, 1}, 5);
    Verification.Report rep =
        Verification.verify(f, ptq, d, Verification.Options.defaults().withSqnrSamples(4));
    assertEquals("UINT8", rep.outputType());
    assertEquals(1.0, rep.bitExactFractionBuiltin());
    assertTrue(Double.isNaN(rep.top1Agreement()));
    assertNull(rep.toMap().get("top1_agreement"));
    assertTrue(
        rep.top1AgreementFloat() > 0.5, "float vs PTQ int8 agreement " + rep.top1AgreementFloat());
    assertFalse(rep.perLayerSqnr().isEmpty(), "SQNR via the float model's quantized structure");
  }

  @Test
  void badInputsAreNamed() {
    SplittableRandom r = new SplittableRandom(5);
    float[] x = images(r);
    QatModel q = qat(1, x);
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    Verification.Options o = Verification.Options.defaults();
    String a =
        assertThrows(
                IllegalArgumentException.class,
                () -> Verification.verify(q, tflite, x, new int[N - 1], o))
            .getMessage();
    assertTrue(a.contains("labels"), a);
    int[] bad = new int[N];
    bad[3] = 7;
    String b =
        assertThrows(
                IllegalArgumentException.class, () -> Verification.verify(q, tflite, x, bad, o))
            .getMessage();
    assertTrue(b.contains("label 3"), b);
    QatModel small =
        Quantize.model(
            new Sequential(1, "input", 6, 6, 1)
                .add(new Flatten("f"))
                .add(new Dense("d", 5))
                .build());
    small.calibrate(List.of(Tensor.of(new float[36], 1, 6, 6, 1)));
    byte[] wrong = TfliteWriter.write(Int8Lowering.lower(small, DType.INT8));
    String c =
        assertThrows(
                IllegalArgumentException.class,
                () -> Verification.verify(q, wrong, x, new int[N], o))
            .getMessage();
    assertTrue(c.contains("does not match the model input"), c);
    assertThrows(
        IllegalArgumentException.class, () -> Verification.Options.defaults().withSqnrSamples(-1));
  }
}
