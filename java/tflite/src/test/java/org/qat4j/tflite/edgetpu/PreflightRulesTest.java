package org.qat4j.tflite.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.edgetpu.PreflightReport.OperatorResult;

/** Each pre-flight rule on a tiny model written by qat4j's own writer. */
class PreflightRulesTest {
  /** conv(RELU6) → max pool → reshape → FC → softmax, all in {@code type}. */
  private static TinyModels classifier(DType type) {
    TinyModels m = new TinyModels(type);
    int x = m.input(1, 8, 8, 3);
    int c = m.conv(x, 4, TinyModels.D.withActivation(FusedActivation.RELU6));
    int p = m.maxPool(c, FusedActivation.NONE);
    int r = m.reshape(p, 1, 64);
    int f = m.fc(r, 1, 10);
    m.softmax(f);
    return m;
  }

  private static List<String> statuses(PreflightReport r) {
    return r.operators().stream().map(OperatorResult::status).toList();
  }

  @Test
  void int8ModelFromTheWriterIsFullyMapped() {
    TinyModels m = classifier(DType.INT8);
    PreflightReport r = EdgeTpuPreflight.check(m.model(m.b.tensorCount() - 1));
    assertEquals(5, r.totalOps());
    assertEquals(5, r.edgetpuOps(), r.text());
    assertEquals(0, r.cpuOps());
    assertEquals(1, r.edgetpuSubgraphs());
    assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    assertEquals(
        List.of("CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"),
        r.operators().stream().map(OperatorResult::op).toList());
    assertTrue(r.operators().stream().allMatch(o -> o.reason().isEmpty()));
  }

  @Test
  void uint8ModelIsFullyMapped() {
    TinyModels m = classifier(DType.UINT8);
    PreflightReport r = EdgeTpuPreflight.check(m.model(m.b.tensorCount() - 1));
    assertEquals(r.totalOps(), r.edgetpuOps(), r.text());
  }

  @Test
  void floatModelIsUnsupportedDataTypeAndWarnsNotQuantized() {
    TinyModels m = classifier(DType.FLOAT32);
    PreflightReport r = EdgeTpuPreflight.check(m.model(m.b.tensorCount() - 1));
    assertEquals(0, r.edgetpuOps());
    assertEquals(0, r.edgetpuSubgraphs());
    assertEquals(Status.DATA_TYPE, r.operators().get(0).status());
    assertTrue(r.operators().get(0).reason().contains("FLOAT32"), r.operators().get(0).reason());
    for (OperatorResult o : r.operators().subList(1, 5))
      assertTrue(o.reason().contains("after the cut at op 0"), o.toString());
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.startsWith("Model not quantized at its input")),
        r.warnings().toString());
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.startsWith("Model not quantized at its output")),
        r.warnings().toString());
  }

  @Test
  void dequantizeInTheMiddleCutsEverythingAfterIt() {
    TinyModels m = new TinyModels(DType.INT8);
    int x = m.input(1, 8, 8, 3);
    int c = m.conv(x, 4, TinyModels.D);
    int f = m.unary(OpKind.DEQUANTIZE, c, DType.FLOAT32);
    int q = m.unary(OpKind.QUANTIZE, f, DType.INT8);
    int c2 = m.conv(q, 4, TinyModels.D);
    int p = m.maxPool(c2, FusedActivation.NONE);
    PreflightReport r = EdgeTpuPreflight.check(m.model(p));
    assertEquals(
        List.of(
            Status.MAPPED, Status.DATA_TYPE, Status.DATA_TYPE, Status.AFTER_CUT, Status.AFTER_CUT),
        statuses(r),
        r.text());
    assertEquals(1, r.edgetpuOps());
    assertEquals(4, r.cpuOps());
    assertEquals(1, r.edgetpuSubgraphs());
    assertTrue(r.operators().get(4).reason().contains("after the cut at op 1 (DEQUANTIZE)"));
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.contains("op 1 (DEQUANTIZE)")),
        r.warnings().toString());
  }

  @Test
  void floatIoEdgesStayOnCpuWithoutCuttingTheMiddle() {
    TinyModels m = new TinyModels(DType.INT8);
    int x = m.b.addTensor(TensorSpec.activation("x", new int[] {1, 8, 8, 3}, DType.FLOAT32, null));
    m.b.setInputs(x);
    int q = m.unary(OpKind.QUANTIZE, x, DType.INT8);
    int c = m.conv(q, 4, TinyModels.D);
    int p = m.maxPool(c, FusedActivation.NONE);
    int y = m.unary(OpKind.DEQUANTIZE, p, DType.FLOAT32);
    PreflightReport r = EdgeTpuPreflight.check(m.model(y));
    assertEquals(
        List.of(Status.DATA_TYPE, Status.MAPPED, Status.MAPPED, Status.DATA_TYPE),
        statuses(r),
        r.text());
    assertEquals(2, r.edgetpuOps());
    assertEquals(1, r.edgetpuSubgraphs());
    assertTrue(
        r.operators().get(0).reason().contains("does not cut"), r.operators().get(0).reason());
    assertEquals(
        2,
        r.warnings().stream().filter(w -> w.startsWith("Model not quantized")).count(),
        r.warnings().toString());
  }

  @Test
  void fiveDimensionalTensorOnlyMapsWhenOuterDimsAreOne() {
    TinyModels bad = new TinyModels(DType.INT8);
    int y = bad.reshape(bad.input(1, 4, 4, 6), 1, 2, 4, 4, 3);
    PreflightReport r = EdgeTpuPreflight.check(bad.model(y));
    assertEquals(Status.LIMITATION, r.operators().get(0).status(), r.text());
    assertTrue(
        r.operators().get(0).reason().contains("[1, 2, 4, 4, 3]"), r.operators().get(0).reason());

    TinyModels ok = new TinyModels(DType.INT8);
    int z = ok.reshape(ok.input(1, 4, 4, 6), 1, 1, 4, 4, 6);
    assertEquals(Status.MAPPED, EdgeTpuPreflight.check(ok.model(z)).operators().get(0).status());
  }

  @Test
  void unequalDilationIsNotMapped() {
    TinyModels m = new TinyModels(DType.INT8);
    int x = m.input(1, 8, 8, 3);
    int c = m.conv(x, 4, TinyModels.D.withDilation(2, 1));
    int p = m.maxPool(c, FusedActivation.NONE);
    PreflightReport r = EdgeTpuPreflight.check(m.model(p));
    assertEquals(List.of(Status.LIMITATION, Status.AFTER_CUT), statuses(r), r.text());
    assertTrue(
        r.operators().get(0).reason().contains("dilation 2x1"), r.operators().get(0).reason());

    TinyModels eq = new TinyModels(DType.INT8);
    int c2 = eq.conv(eq.input(1, 8, 8, 3), 4, TinyModels.D.withDilation(2, 2));
    assertEquals(Status.MAPPED, EdgeTpuPreflight.check(eq.model(c2)).operators().get(0).status());
  }

  @Test
  void poolWithFusedActivationIsNotMapped() {
    TinyModels m = new TinyModels(DType.INT8);
    int c = m.conv(m.input(1, 8, 8, 3), 4, TinyModels.D);
    int p = m.maxPool(c, FusedActivation.RELU);
    PreflightReport r = EdgeTpuPreflight.check(m.model(p));
    assertEquals(List.of(Status.MAPPED, Status.LIMITATION), statuses(r), r.text());
    assertTrue(
        r.operators().get(1).reason().contains("fused activation RELU"),
        r.operators().get(1).reason());
  }

  @Test
  void opVersionTooNewIsReported() {
    TinyModels m = new TinyModels(DType.INT8);
    int c = m.conv(m.input(1, 8, 8, 3), 4, TinyModels.D);
    int p = m.maxPool(c, FusedActivation.NONE);
    byte[] written = m.bytes(p);
    assertEquals(
        Status.MAPPED,
        EdgeTpuPreflight.check(TfliteReader.read(written)).operators().get(0).status());
    byte[] patched = OpVersionPatch.setVersion(written, OpKind.CONV_2D.builtinCode(), 6);
    PreflightReport r = EdgeTpuPreflight.check(TfliteReader.read(patched));
    assertEquals(List.of(Status.VERSION, Status.AFTER_CUT), statuses(r), r.text());
    assertEquals(6, r.operators().get(0).version());
    assertTrue(
        r.operators().get(0).reason().contains("op version 6 > 3"), r.operators().get(0).reason());
  }

  @Test
  void nonConstantWeightsAreNotMapped() {
    TinyModels m = new TinyModels(DType.INT8);
    int x = m.input(1, 8, 8, 3);
    int w =
        m.b.addTensor(
            TensorSpec.activation(
                "w_in", new int[] {4, 3, 3, 3}, DType.INT8, QuantParams.perTensor(0.01f, 0)));
    m.b.setInputs(x, w);
    int c = m.convWith(x, w, 4, TinyModels.D);
    PreflightReport r = EdgeTpuPreflight.check(m.model(c));
    assertEquals(Status.LIMITATION, r.operators().get(0).status(), r.text());
    assertTrue(
        r.operators().get(0).reason().contains("weights #" + w + " 'w_in' is not constant"),
        r.operators().get(0).reason());
  }

  @Test
  void fullyConnectedOutputMustBeOneDimensional() {
    TinyModels m = new TinyModels(DType.INT8);
    int f = m.fc(m.input(2, 16), 2, 4);
    PreflightReport r = EdgeTpuPreflight.check(m.model(f));
    assertEquals(Status.LIMITATION, r.operators().get(0).status(), r.text());
    assertTrue(r.operators().get(0).reason().contains("[2, 4]"));
  }

  @Test
  void meanOverTheBatchDimensionIsNotMappedButSpatialMeanIs() {
    TinyModels batch = new TinyModels(DType.INT8);
    int y = batch.mean(batch.input(1, 4, 4, 8), new int[] {0}, 1, 4, 4, 8);
    PreflightReport r = EdgeTpuPreflight.check(batch.model(y));
    assertEquals(Status.LIMITATION, r.operators().get(0).status(), r.text());
    assertTrue(r.operators().get(0).reason().contains("batch"));

    TinyModels spatial = new TinyModels(DType.INT8);
    int z = spatial.mean(spatial.input(1, 4, 4, 8), new int[] {1, 2}, 1, 1, 1, 8);
    assertEquals(
        Status.MAPPED, EdgeTpuPreflight.check(spatial.model(z)).operators().get(0).status());
  }

  @Test
  void hardSwishIsNotSupported() {
    TinyModels m = new TinyModels(DType.INT8);
    int h = m.unary(OpKind.HARD_SWISH, m.input(1, 4, 4, 8), DType.INT8);
    PreflightReport r = EdgeTpuPreflight.check(m.model(h));
    assertEquals(Status.UNSUPPORTED, r.operators().get(0).status());
    assertTrue(
        r.operators().get(0).reason().contains("not supported by the Edge TPU"),
        r.operators().get(0).reason());
  }

  @Test
  void reportTextAndMapFollowTheCompilerLogAndTheCliContract() {
    TinyModels m = new TinyModels(DType.INT8);
    int c = m.conv(m.input(1, 8, 8, 3), 4, TinyModels.D);
    int p = m.maxPool(c, FusedActivation.RELU);
    PreflightReport r = EdgeTpuPreflight.check(m.model(p));
    String t = r.text();
    assertTrue(t.contains("Number of Edge TPU subgraphs: 1\n"), t);
    assertTrue(t.contains("Total number of operations: 2\n"), t);
    assertTrue(t.contains("Number of operations that will run on Edge TPU: 1\n"), t);
    assertTrue(t.contains("Number of operations that will run on CPU: 1\n"), t);
    assertTrue(t.contains(String.format("%-31s%-11s%s", "CONV_2D", "1", Status.MAPPED)), t);
    assertTrue(t.contains(String.format("%-31s%-11s%s", "MAX_POOL_2D", "1", Status.LIMITATION)), t);
    Map<String, Object> map = r.toMap();
    assertEquals(2, map.get("total_ops"));
    assertEquals(1, map.get("edgetpu_ops"));
    assertEquals(1, map.get("cpu_ops"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> ops = (List<Map<String, Object>>) map.get("operators");
    assertEquals(
        List.of("index", "op", "version", "status", "reason"), List.copyOf(ops.get(1).keySet()));
    assertEquals(1, ops.get(1).get("index"));
    assertEquals("MAX_POOL_2D", ops.get(1).get("op"));
    assertEquals(Status.LIMITATION, ops.get(1).get("status"));
    assertFalse(((String) ops.get(1).get("reason")).isEmpty());
  }

  @Test
  void meanOverChannelsNeedsAMultipleOfFour() {
    TinyModels six = new TinyModels(DType.INT8);
    int y = six.mean(six.input(1, 4, 4, 6), new int[] {3}, 1, 4, 4, 1);
    PreflightReport r = EdgeTpuPreflight.check(six.model(y));
    assertEquals(Status.LIMITATION, r.operators().get(0).status(), r.text());
    assertTrue(
        r.operators().get(0).reason().contains("multiple of 4"), r.operators().get(0).reason());

    TinyModels eight = new TinyModels(DType.INT8);
    int z = eight.mean(eight.input(1, 4, 4, 8), new int[] {-1}, 1, 4, 4, 1);
    assertEquals(Status.MAPPED, EdgeTpuPreflight.check(eight.model(z)).operators().get(0).status());
  }

  private static PreflightReport concatWithConstant(byte fill) {
    TinyModels m = new TinyModels(DType.INT8);
    int x = m.input(1, 4, 4, 2);
    byte[] data = new byte[32];
    java.util.Arrays.fill(data, fill);
    int k =
        m.b.addTensor(
            new TensorSpec(
                "k", new int[] {1, 4, 4, 2}, DType.INT8, QuantParams.perTensor(0.05f, 0), data));
    int y = m.act("cat", 1, 4, 4, 4);
    m.b.addOp(
        OpKind.CONCATENATION,
        new int[] {x, k},
        new int[] {y},
        new OpOptions.Concat(3, FusedActivation.NONE));
    return EdgeTpuPreflight.check(m.model(y));
  }

  @Test
  void concatenationTakesOnlyAnAllZeroConstantSecondInput() {
    assertEquals(Status.MAPPED, concatWithConstant((byte) 0).operators().get(0).status());
    PreflightReport r = concatWithConstant((byte) 3);
    assertEquals(Status.LIMITATION, r.operators().get(0).status(), r.text());
    assertTrue(r.operators().get(0).reason().contains("all-zero"), r.operators().get(0).reason());
  }

  @Test
  void nullModelIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> EdgeTpuPreflight.check(null));
  }

  @Test
  void largeBilinearUpscaleStaysOnTheCpuAndCutsSmallOnesMap() {
    TinyModels m = new TinyModels(DType.UINT8);
    int x = m.input(1, 4, 4, 8);
    int twice = m.resizeBilinear(x, 8, 8);
    int c = m.conv(twice, 8, TinyModels.D);
    int big = m.resizeBilinear(c, 8, 8 * (OpRules.MAX_BILINEAR_UPSCALE + 1));
    m.conv(big, 4, TinyModels.D);
    PreflightReport r = EdgeTpuPreflight.check(m.model(m.b.tensorCount() - 1));
    assertEquals(
        List.of(Status.MAPPED, Status.MAPPED, Status.LIMITATION, Status.AFTER_CUT),
        statuses(r),
        r.text());
    assertTrue(r.operators().get(2).reason().contains("upscales 8x8 to 8x72"), r.text());
  }
}
