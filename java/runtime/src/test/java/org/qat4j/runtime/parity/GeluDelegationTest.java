package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
import org.qat4j.runtime.DelegateCoverage;
import org.qat4j.tflite.TfliteWriter;

/**
 * Which GELU models TFLite 2.20's XNNPACK delegate takes: float32 only. Quantized GELU stays on the
 * CPU table kernel, which is why OpParityTest's XNNPACK runs of GELU equal BUILTIN.
 */
@Tag("native")
class GeluDelegationTest {
  @Test
  void xnnpackTakesFloatGeluButNotQuantized(@TempDir Path dir) throws Exception {
    assertEquals(1, coverage(dir, DType.FLOAT32, false).delegatedOps());
    assertEquals(1, coverage(dir, DType.FLOAT32, true).delegatedOps());
    for (DType t : new DType[] {DType.INT8, DType.UINT8}) {
      for (boolean approximate : new boolean[] {false, true}) {
        DelegateCoverage c = coverage(dir, t, approximate);
        assertEquals(0, c.delegatedOps(), t + ": " + c.summary());
        assertEquals(1, c.cpuOps(), t + ": " + c.summary());
      }
    }
  }

  private static DelegateCoverage coverage(Path dir, DType t, boolean approximate)
      throws Exception {
    LoweredGraphBuilder b = new LoweredGraphBuilder("gelu");
    QuantParams q =
        t == DType.FLOAT32 ? null : QuantParams.perTensor(0.05f, t == DType.UINT8 ? 128 : 0);
    int[] shape = {1, 4, 4, 3};
    int x = b.addTensor(TensorSpec.activation("x", shape, t, q));
    int y = b.addTensor(TensorSpec.activation("y", shape, t, q));
    b.addOp(OpKind.GELU, new int[] {x}, new int[] {y}, new OpOptions.Gelu(approximate));
    Path m = dir.resolve(t + "-" + approximate + ".tflite");
    Files.write(m, TfliteWriter.write(b.setInputs(x).setOutputs(y).build()));
    Benchmark.Config cfg = Benchmark.Config.of(m).with(Backend.XNNPACK, 1).runs(1, 0, 2, 0, 5);
    return Benchmark.run(cfg).coverage();
  }
}
