package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;

@Tag("native")
class RealModelTest {
  static final String MODEL = "mobilenet_v1_0.25_128_quant.tflite";

  static int[] top(byte[] scores, int k) {
    Integer[] idx = new Integer[scores.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (a, b) -> Integer.compare(scores[b] & 0xff, scores[a] & 0xff));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  @Test
  void uint8MobileNetClassifiesCatWithinTop5() throws Exception {
    DelegateCoverage.Latest cov = new DelegateCoverage.Latest();
    List<String> labels = Files.readAllLines(SharedModels.require("imagenet_labels.txt"));
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(MODEL));
        Interpreter it =
            Interpreter.create(m, Interpreter.Options.builder().threads(1).listener(cov).build())) {
      TensorView in = it.input(0);
      assertEquals(DType.UINT8, in.dataType());
      assertArrayEquals(new int[] {1, 128, 128, 3}, in.shape());
      assertEquals(0.0078125f, in.quantization().scale());
      assertEquals(128, in.quantization().zeroPoint());
      assertEquals("input", it.input(0).name());
      it.input("input").write(SharedModels.catPixels(128));
      it.invoke();
      byte[] scores = it.output(0).readBytes();
      assertEquals(1001, scores.length);
      int[] top5 = top(scores, 5);
      StringBuilder names = new StringBuilder();
      boolean cat = false;
      for (int c : top5) {
        String l = labels.get(c);
        names.append(l).append(" (").append(scores[c] & 0xff).append("); ");
        cat |= l.matches("(?i).*\\b(cat|tabby|tiger cat|persian|siamese|egyptian|lynx)\\b.*");
      }
      assertTrue(cat, "no cat class in top 5: " + names);
      System.out.println("cat.bmp top5: " + names);
      assertEquals(31, m.operatorCount());
      // the names the model check kept are the file's operators, in order
      List<String> fromReader =
          org.qat4j.tflite.TfliteReader.read(SharedModels.require(MODEL))
              .subgraph(0)
              .operators()
              .stream()
              .map(org.qat4j.tflite.OperatorInfo::opName)
              .toList();
      assertEquals(fromReader, m.operatorNames());
      assertFalse(cov.get().delegated(), cov.get().summary());
      assertEquals(31, cov.get().cpuOps());
    }
  }

  @Test
  void edgetpuModelWithoutDelegateFailsClearly() throws Exception {
    try (TfliteModel m =
        TfliteModel.fromFile(SharedModels.require("mobilenet_v1_0.25_128_quant_edgetpu.tflite"))) {
      TfliteException e = assertThrows(TfliteException.class, () -> Interpreter.create(m));
      assertTrue(e.getMessage().contains("edgetpu-custom-op"), e.getMessage());
      assertTrue(e.getMessage().toLowerCase().contains("unresolved custom op"), e.getMessage());
      if (Native.formatsMessages()) {
        assertTrue(
            e.getMessage().contains("Encountered unresolved custom op: edgetpu-custom-op"),
            e.getMessage());
        assertFalse(e.getMessage().contains("%s"), e.getMessage());
      }
      assertFalse(m.isReleased(), "model stays usable after a failed interpreter");
    }
  }

  @Test
  void xnnpackTakesTheUint8GraphAndAgreesOnTop1() throws Exception {
    byte[] pixels = SharedModels.catPixels(128);
    DelegateCoverage.Latest cov = new DelegateCoverage.Latest();
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(MODEL));
        Interpreter cpu = Interpreter.create(m, Interpreter.Options.builder().threads(1).build());
        Interpreter xnn =
            Interpreter.create(
                m,
                Interpreter.Options.builder()
                    .threads(1)
                    .backend(Backend.XNNPACK)
                    .listener(cov)
                    .build())) {
      DelegateCoverage c = cov.get();
      assertTrue(c.delegated(), c.summary());
      assertEquals(List.of(Xnnpack.KERNEL_NAME), c.delegateKernels().subList(0, 1));
      assertTrue(c.cpuOps() < 31, c.summary());
      System.out.println("XNNPACK coverage: " + c.summary());
      cpu.input(0).write(pixels);
      xnn.input(0).write(pixels);
      cpu.invoke();
      xnn.invoke();
      byte[] a = cpu.output(0).readBytes();
      byte[] b = xnn.output(0).readBytes();
      int maxLsb = 0;
      for (int i = 0; i < a.length; i++) {
        maxLsb = Math.max(maxLsb, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
      }
      // legacy uint8 kernels vs XNNPACK QU8 round requantization differently (measured 6 LSB of
      // 1/256 on softmax)
      assertTrue(maxLsb <= 8, "BUILTIN vs XNNPACK differ by " + maxLsb + " LSB");
      System.out.println("BUILTIN vs XNNPACK max diff: " + maxLsb + " LSB");
      assertArrayEquals(top(a, 1), top(b, 1));
    }
  }

  @Test
  void nnapiOnLinuxIsReportedAsCpu() throws Exception {
    DelegateCoverage.Latest cov = new DelegateCoverage.Latest();
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(MODEL));
        Interpreter it =
            Interpreter.create(
                m, Interpreter.Options.builder().backend(Backend.NNAPI).listener(cov).build())) {
      assertEquals(Backend.NNAPI, it.options().backend());
      assertFalse(cov.get().delegated());
      assertTrue(cov.get().summary().contains("not delegated: ran on CPU"), cov.get().summary());
    }
  }

  @Test
  void edgetpuBackendWithoutProviderIsUnavailable() throws Exception {
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(MODEL))) {
      TfliteException e =
          assertThrows(
              TfliteException.class,
              () ->
                  Interpreter.create(
                      m, Interpreter.Options.builder().backend(Backend.EDGETPU).build()));
      assertTrue(e.getMessage().contains("unavailable because"), e.getMessage());
      assertFalse(m.isReleased());
    }
  }

  @Test
  void profilerReportsEveryOperatorType() throws Exception {
    OpProfile profile = new OpProfile();
    try (TfliteModel m = TfliteModel.fromFile(SharedModels.require(MODEL));
        Interpreter it =
            Interpreter.create(
                m, Interpreter.Options.builder().listener(profile).threads(1).build())) {
      it.input(0).write(new byte[128 * 128 * 3]);
      it.invoke();
      it.invoke();
      List<OpStats> table = profile.table();
      long convs =
          table.stream().filter(s -> s.name().equals("CONV_2D")).mapToLong(OpStats::count).sum();
      assertEquals(30, convs, "15 CONV_2D per invoke, 2 invokes: " + table);
      assertTrue(
          table.stream().anyMatch(s -> s.name().equals("DEPTHWISE_CONV_2D") && s.count() == 26),
          "" + table);
      assertTrue(table.stream().allMatch(s -> s.totalMs() >= 0));
    }
  }
}
