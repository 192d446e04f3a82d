package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Softmax;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;
import org.qat4j.tflite.edgetpu.PreflightReport;
import org.qat4j.tflite.edgetpu.PreflightReport.OperatorResult;
import org.qat4j.tflite.edgetpu.Status;

/** qat4j's own int8 export (QAT model → Int8Lowering → TfliteWriter) through the pre-flight. */
class PreflightOwnExportTest {
  /**
   * A small MobileNet-like graph: conv+BN+ReLU6, depthwise, 1×1 conv, residual add, concat, GAP,
   * dense, softmax.
   */
  private static Model mobileish() {
    GraphBuilder g = new GraphBuilder(3);
    Node in = g.input("in", 8, 8, 3);
    Node c = g.add(new Conv2D("stem", 4, 3, 3).padding(Padding.SAME).useBias(false), in);
    c = g.add(new ReLU6("stem_relu"), g.add(new BatchNormalization("stem_bn"), c));
    Node d = g.add(new DepthwiseConv2D("dw", 3, 3).padding(Padding.SAME).useBias(false), c);
    d = g.add(new ReLU6("dw_relu"), g.add(new BatchNormalization("dw_bn"), d));
    Node p =
        g.add(new BatchNormalization("pw_bn"), g.add(new Conv2D("pw", 4, 1, 1).useBias(false), d));
    Node sum = g.add(new Add("res"), p, c);
    Node side = g.add(new Conv2D("side", 4, 1, 1).activation(Activation.RELU), sum);
    Node cat = g.add(new Concatenate("cat"), sum, side);
    Node gap = g.add(new GlobalAveragePooling2D("gap"), cat);
    return g.build(g.add(new Softmax("sm"), g.add(new Dense("fc", 4), gap)));
  }

  private static PreflightReport export(DType io) {
    QatModel q = Quantize.model(mobileish());
    SplittableRandom r = new SplittableRandom(5);
    List<Tensor> batches = new ArrayList<>();
    for (int i = 0; i < 2; i++) batches.add(GradientCheck.random(r, 4, 8, 8, 3));
    q.calibrate(batches);
    byte[] bytes = TfliteWriter.write(Int8Lowering.lower(q, io));
    return EdgeTpuPreflight.check(TfliteReader.read(bytes));
  }

  @Test
  void int8IoExportIsFullyMapped() {
    PreflightReport r = export(DType.INT8);
    assertEquals(r.totalOps(), r.edgetpuOps(), r.text());
    assertTrue(r.warnings().isEmpty(), r.warnings().toString());
  }

  @Test
  void uint8IoExportIsFullyMapped() {
    PreflightReport r = export(DType.UINT8);
    assertEquals(r.totalOps(), r.edgetpuOps(), r.text());
  }

  @Test
  void floatIoExportKeepsOnlyTheEdgeConversionsOnCpu() {
    PreflightReport r = export(DType.FLOAT32);
    System.out.println(r.text());
    List<OperatorResult> ops = r.operators();
    assertEquals("QUANTIZE", ops.get(0).op());
    assertEquals("DEQUANTIZE", ops.get(ops.size() - 1).op());
    assertEquals(2, r.cpuOps(), r.text());
    assertEquals(Status.DATA_TYPE, ops.get(0).status());
    assertEquals(Status.DATA_TYPE, ops.get(ops.size() - 1).status());
    assertEquals(1, r.edgetpuSubgraphs());
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.startsWith("Model not quantized")),
        r.warnings().toString());
  }
}
