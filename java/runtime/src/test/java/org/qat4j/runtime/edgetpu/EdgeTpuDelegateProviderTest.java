package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Delegate;
import org.qat4j.runtime.TfliteException;

/** The EDGETPU backend provider against the libedgetpu test double. */
@Tag("native")
@ResourceLock(FakeEdgeTpu.LOCK)
class EdgeTpuDelegateProviderTest {

  @Test
  void createsAndFreesThroughTheRuntimeDelegate() {
    EdgeTpuLibrary lib = FakeEdgeTpu.library();
    FakeEdgeTpu.control(lib, "devices=usb,usb");
    Delegate.register(new EdgeTpuDelegateProvider());
    Delegate d =
        Delegate.create(
            Backend.EDGETPU,
            Map.of(
                "library",
                FakeEdgeTpu.path().toString(),
                "device",
                "usb:1",
                "Performance",
                "Medium"),
            2);
    assertEquals(Backend.EDGETPU, d.backend());
    Map<String, String> s = FakeEdgeTpu.stats(lib);
    assertEquals("/sys/bus/usb/devices/2-2", s.get("name"));
    assertEquals("Performance=Medium", s.get("options"));
    d.close();
    assertTrue(d.isFreed());
    assertEquals("1", FakeEdgeTpu.stats(lib).get("free_delegate"));
  }

  @Test
  void handleExposesAddressAndKernelName() {
    EdgeTpuLibrary lib = FakeEdgeTpu.library();
    Delegate.Handle h =
        new EdgeTpuDelegateProvider().create(Map.of("library", FakeEdgeTpu.path().toString()), 1);
    assertNotEquals(0L, h.address());
    assertEquals("EdgeTpuDelegateForCustomOp", h.kernelName());
    h.free();
    assertEquals("1", FakeEdgeTpu.stats(lib).get("free_delegate"));
  }

  @Test
  void missingLibraryOrDeviceSaysUnavailableBecause() {
    EdgeTpuLibrary lib = FakeEdgeTpu.library();
    TfliteException noLib =
        assertThrows(
            TfliteException.class,
            () ->
                new EdgeTpuDelegateProvider()
                    .create(Map.of("library", "/nonexistent/qat4j/libedgetpu.so.1"), 1));
    assertTrue(
        noLib.getMessage().contains("unavailable because libedgetpu not found"),
        noLib.getMessage());
    FakeEdgeTpu.control(lib, "devices=usb");
    TfliteException noPci =
        assertThrows(
            TfliteException.class,
            () ->
                new EdgeTpuDelegateProvider()
                    .create(Map.of("library", FakeEdgeTpu.path().toString(), "device", "pci"), 1));
    assertTrue(
        noPci.getMessage().contains("unavailable because No PCI EdgeTPU"), noPci.getMessage());
    assertEquals("0", FakeEdgeTpu.stats(lib).get("create"));
  }

  @Test
  void badOptionsAreRejectedBeforeNativeCode() {
    EdgeTpuLibrary lib = FakeEdgeTpu.library();
    EdgeTpuDelegateProvider p = new EdgeTpuDelegateProvider();
    String fake = FakeEdgeTpu.path().toString();
    assertThrows(
        IllegalArgumentException.class,
        () -> p.create(Map.of("library", fake, "device", "usb:z"), 1));
    assertThrows(
        IllegalArgumentException.class, () -> p.create(Map.of("library", fake, "Speed", "1"), 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> p.create(Map.of("library", fake, "Usb.MaxBulkInQueueLength", "256"), 1));
    assertEquals("0", FakeEdgeTpu.stats(lib).get("create"));
  }
}
