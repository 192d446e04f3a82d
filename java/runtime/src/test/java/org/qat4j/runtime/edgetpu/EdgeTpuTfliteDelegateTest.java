package org.qat4j.runtime.edgetpu;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterAllocateTensors;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsAddDelegate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelDelete;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteModel;
import org.bytedeco.tensorflowlite.TfLiteOpaqueDelegateStruct;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Real TFLite (bytedeco C API) with the test double's delegate: TFLite calls its Prepare, it claims
 * nothing, and the uncompiled model's output equals the CPU-only run bit for bit; the compiled
 * model then cannot resolve edgetpu-custom-op and fails cleanly.
 */
@Tag("native")
@ResourceLock(FakeEdgeTpu.LOCK)
class EdgeTpuTfliteDelegateTest {
  private static Path model(String name) {
    return TfliteRuns.sharedModel(name);
  }

  @Test
  void delegateClaimingNothingLeavesCpuResultsUnchanged() throws IOException {
    EdgeTpuLibrary lib = FakeEdgeTpu.library();
    byte[] bytes = Files.readAllBytes(model("mobilenet_v1_0.25_128_quant.tflite"));
    byte[] cpu = TfliteRuns.run(bytes, null);
    try (EdgeTpuDelegate delegate = lib.openDelegate("usb", EdgeTpuOptions.defaults())) {
      byte[] delegated = TfliteRuns.run(bytes, delegate);
      assertEquals(
          "1",
          FakeEdgeTpu.stats(lib).get("prepare"),
          "TFLite must have called the delegate's Prepare");
      assertArrayEquals(cpu, delegated);
    }
    assertEquals("1", FakeEdgeTpu.stats(lib).get("free_delegate"));
    int sum = 0;
    for (byte b : cpu) {
      sum += b & 0xff;
    }
    assertTrue(
        sum > 200 && sum < 320, "softmax output (scale 1/256) should sum to about 256, got " + sum);
  }

  @Test
  void compiledModelWithADelegateThatClaimsNothingFailsCleanly() throws IOException {
    EdgeTpuLibrary lib = FakeEdgeTpu.library();
    byte[] bytes = Files.readAllBytes(model("mobilenet_v1_0.25_128_quant_edgetpu.tflite"));
    try (EdgeTpuDelegate delegate = lib.openDelegate("usb", EdgeTpuOptions.defaults());
        BytePointer buf = new BytePointer(bytes)) {
      TfLiteModel m = TfLiteModelCreate(buf, bytes.length);
      assertNotNull(m);
      TfLiteInterpreterOptions o = TfLiteInterpreterOptionsCreate();
      TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(delegate.attach()));
      TfLiteInterpreter it = TfLiteInterpreterCreate(m, o);
      boolean failed = it == null || it.isNull() || TfLiteInterpreterAllocateTensors(it) != 0;
      if (it != null && !it.isNull()) {
        TfLiteInterpreterDelete(it);
      }
      delegate.detach();
      TfLiteInterpreterOptionsDelete(o);
      TfLiteModelDelete(m);
      assertTrue(failed, "edgetpu-custom-op must stay unresolved when the delegate claims nothing");
    }
  }
}
