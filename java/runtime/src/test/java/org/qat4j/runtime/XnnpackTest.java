package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The C helper ({@code native/xnnpack_shim.c}) reads and writes TFLite's XNNPACK options by field
 * name on this ABI: TFLite 2.20's defaults are num_threads 0 and flags QS8|QU8 (3, from the
 * disassembly of TfLiteXNNPackDelegateOptionsDefault on x86-64 and arm64); the neighbouring
 * runtime_flags field is 0, so reading the wrong field fails here. Runs under qemu-aarch64 too
 * (scripts/arm64-test.sh).
 */
@Tag("native")
class XnnpackTest {
  @Test
  void defaultsComeFromTheFlagsField() {
    assumeTrue(
        Native.formatsMessages(), "qat4j's JNI library not built (-Dqat4j.native.skip=true)");
    int[] d = Xnnpack.defaultThreadsAndFlags();
    assertEquals(0, d[0], "default num_threads");
    assertEquals(0x3, d[1], "default flags QS8|QU8");
  }

  @Test
  void delegateIsCreatedAndFreed() {
    assumeTrue(
        Native.formatsMessages(), "qat4j's JNI library not built (-Dqat4j.native.skip=true)");
    for (int threads : new int[] {0, 1, 2}) {
      Delegate.Handle h = Xnnpack.create(threads, Map.of("qu8", "false"));
      assertNotEquals(0L, h.address());
      assertEquals(Xnnpack.KERNEL_NAME, h.kernelName());
      h.free();
    }
  }
}
