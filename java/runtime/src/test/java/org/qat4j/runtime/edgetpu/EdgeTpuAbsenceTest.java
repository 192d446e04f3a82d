package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Where libedgetpu is missing or wrong: clean "unavailable because …" and exceptions, no crash. */
@Tag("native")
class EdgeTpuAbsenceTest {
  private static final String MISSING = "/nonexistent/qat4j-test/libedgetpu.so.1";

  @Test
  void missingLibraryIsUnavailableWithDlerrorAndInstallHint() {
    assumeTrue(NativeShim.loaded(), "EdgeTPU JNI library not loaded: " + NativeShim.LOAD_FAILURE);
    EdgeTpuLibrary lib = EdgeTpu.library(MISSING);
    EdgeTpuAvailability a = lib.probe();
    assertFalse(a.available());
    assertFalse(lib.loaded());
    assertTrue(a.reason().contains("libedgetpu not found"), a.reason());
    assertTrue(a.reason().contains(MISSING + ": cannot open shared object file"), a.reason());
    assertTrue(a.reason().contains("libedgetpu1-std"), a.reason());
  }

  @Test
  void missingLibraryThrowsFromEveryOperation() {
    assumeTrue(NativeShim.loaded(), "EdgeTPU JNI library not loaded: " + NativeShim.LOAD_FAILURE);
    EdgeTpuLibrary lib = EdgeTpu.library(MISSING);
    EdgeTpuException e = assertThrows(EdgeTpuException.class, lib::devices);
    assertTrue(
        e.getMessage().startsWith("EdgeTPU unavailable because libedgetpu not found"),
        e.getMessage());
    assertThrows(EdgeTpuException.class, lib::runtimeVersion);
    assertThrows(EdgeTpuException.class, () -> lib.verbosity(1));
    assertThrows(EdgeTpuException.class, () -> lib.openDelegate("usb", EdgeTpuOptions.defaults()));
    assertThrows(
        IllegalArgumentException.class, () -> lib.openDelegate("usb:?", EdgeTpuOptions.defaults()));
  }

  @Test
  void libraryWithoutTheCApiNamesTheMissingSymbol() {
    assumeTrue(NativeShim.loaded(), "EdgeTPU JNI library not loaded: " + NativeShim.LOAD_FAILURE);
    EdgeTpuAvailability a = EdgeTpu.library("libc.so.6").probe();
    assertFalse(a.available());
    assertTrue(a.reason().contains("symbol edgetpu_list_devices missing in libc.so.6"), a.reason());
  }

  @Test
  void systemProbeNeverThrows() {
    EdgeTpuAvailability a = EdgeTpu.probe();
    assertNotNull(a);
    assertFalse(a.reason().isBlank());
    if (!a.available()) {
      assertTrue(a.toString().startsWith("unavailable because "), a.toString());
    }
  }

  @Test
  void emptyExplicitPathIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> EdgeTpu.library(" "));
    assertThrows(IllegalArgumentException.class, () -> EdgeTpu.library("lib\0x.so"));
  }
}
