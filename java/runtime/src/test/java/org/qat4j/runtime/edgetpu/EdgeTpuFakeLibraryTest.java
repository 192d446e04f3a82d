package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.qat4j.runtime.edgetpu.EdgeTpuDevice.Type;
import org.qat4j.runtime.edgetpu.EdgeTpuOptions.Performance;

/** The binding against the libedgetpu test double: enumeration, options, lifecycle, error paths. */
@Tag("native")
@ResourceLock(FakeEdgeTpu.LOCK)
class EdgeTpuFakeLibraryTest {
  private EdgeTpuLibrary lib;

  @BeforeEach
  void setUp() {
    lib = FakeEdgeTpu.library();
  }

  @Test
  void probesAvailableWithVersion() {
    EdgeTpuAvailability a = lib.probe();
    assertTrue(a.available(), a.toString());
    assertTrue(a.reason().contains("RuntimeVersion(14)") && a.reason().contains("usb"), a.reason());
    assertEquals(OptionalInt.of(14), lib.runtimeVersion());
    assertSame(lib, EdgeTpu.library(FakeEdgeTpu.path().toString()));
  }

  @Test
  void enumeratesDevicesAndFreesTheList() {
    FakeEdgeTpu.control(lib, "devices=usb,pci,usb");
    List<EdgeTpuDevice> devices = lib.devices();
    assertEquals(
        List.of(
            new EdgeTpuDevice(Type.USB, "/sys/bus/usb/devices/2-1"),
            new EdgeTpuDevice(Type.PCI, "/dev/apex_0"),
            new EdgeTpuDevice(Type.USB, "/sys/bus/usb/devices/2-2")),
        devices);
    Map<String, String> s = FakeEdgeTpu.stats(lib);
    assertEquals("1", s.get("list"));
    assertEquals("1", s.get("free_devices"));
  }

  @Test
  void passesSelectedDeviceAndOptions() {
    FakeEdgeTpu.control(lib, "devices=usb,pci,usb");
    EdgeTpuOptions options =
        EdgeTpuOptions.defaults()
            .withPerformance(Performance.HIGH)
            .withUsbAlwaysDfu(false)
            .withUsbMaxBulkInQueueLength(16);
    try (EdgeTpuDelegate d = lib.openDelegate("usb:1", options)) {
      assertEquals(new EdgeTpuDevice(Type.USB, "/sys/bus/usb/devices/2-2"), d.device());
      assertNotEquals(0L, d.address());
    }
    Map<String, String> s = FakeEdgeTpu.stats(lib);
    assertEquals("1", s.get("type"));
    assertEquals("/sys/bus/usb/devices/2-2", s.get("name"));
    assertEquals(
        "Performance=High;Usb.AlwaysDfu=False;Usb.MaxBulkInQueueLength=16", s.get("options"));
  }

  @Test
  void defaultOptionsPassNoneAndAnyPicksFirstDevice() {
    FakeEdgeTpu.control(lib, "devices=pci,usb");
    try (EdgeTpuDelegate d = lib.openDelegate("", EdgeTpuOptions.defaults())) {
      assertEquals(Type.PCI, d.device().type());
    }
    Map<String, String> s = FakeEdgeTpu.stats(lib);
    assertEquals("0", s.get("type"));
    assertEquals("/dev/apex_0", s.get("name"));
    assertEquals("", s.get("options"));
  }

  @Test
  void lifecycleFreesEachDelegateExactlyOnce() {
    EdgeTpuDelegate a = lib.openDelegate("usb", EdgeTpuOptions.defaults());
    EdgeTpuDelegate b = lib.openDelegate("usb:0", EdgeTpuOptions.defaults());
    assertNotEquals(a.address(), b.address());
    assertEquals("2", FakeEdgeTpu.stats(lib).get("create"));
    a.close();
    a.close();
    assertTrue(a.isClosed());
    assertThrows(IllegalStateException.class, a::pointer);
    assertEquals("1", FakeEdgeTpu.stats(lib).get("free_delegate"));
    b.close();
    Map<String, String> s = FakeEdgeTpu.stats(lib);
    assertEquals("2", s.get("free_delegate"));
    assertEquals(s.get("list"), s.get("free_devices"));
  }

  @Test
  void attachedDelegateRefusesToCloseUntilDetached() {
    EdgeTpuDelegate d = lib.openDelegate("usb", EdgeTpuOptions.defaults());
    Pointer p = d.attach();
    assertEquals(d.address(), p.address());
    IllegalStateException e = assertThrows(IllegalStateException.class, d::close);
    assertTrue(e.getMessage().contains("delete the interpreter"), e.getMessage());
    assertEquals("0", FakeEdgeTpu.stats(lib).get("free_delegate"));
    d.detach();
    d.close();
    assertEquals("1", FakeEdgeTpu.stats(lib).get("free_delegate"));
    assertThrows(IllegalStateException.class, d::detach);
  }

  @Test
  void noDeviceIsUnavailableWithHint() {
    FakeEdgeTpu.control(lib, "devices=none");
    EdgeTpuAvailability a = lib.probe();
    assertFalse(a.available());
    assertTrue(a.toString().startsWith("unavailable because"), a.toString());
    assertTrue(
        a.reason().contains("found no EdgeTPU device") && a.reason().contains("udev"), a.reason());
    EdgeTpuException e =
        assertThrows(
            EdgeTpuException.class, () -> lib.openDelegate("usb", EdgeTpuOptions.defaults()));
    assertTrue(e.getMessage().contains("No USB EdgeTPU device found"), e.getMessage());
    assertEquals("0", FakeEdgeTpu.stats(lib).get("create"));
    assertEquals(List.of(), lib.devices());
  }

  @Test
  void createFailureIsAnExceptionNotANullDelegate() {
    FakeEdgeTpu.control(lib, "fail_create=1");
    EdgeTpuException e =
        assertThrows(
            EdgeTpuException.class,
            () ->
                lib.openDelegate(
                    "usb:0", EdgeTpuOptions.defaults().withPerformance(Performance.LOW)));
    assertTrue(
        e.getMessage().contains("could not open EdgeTPU usb /sys/bus/usb/devices/2-1"),
        e.getMessage());
    assertEquals("Performance=Low", FakeEdgeTpu.stats(lib).get("options"));
    assertEquals("0", FakeEdgeTpu.stats(lib).get("free_delegate"));
  }

  @Test
  void badSelectorOrMissingDeviceNeverReachesCreate() {
    assertThrows(
        IllegalArgumentException.class, () -> lib.openDelegate("usb:x", EdgeTpuOptions.defaults()));
    assertThrows(NullPointerException.class, () -> lib.openDelegate("usb", null));
    EdgeTpuException e =
        assertThrows(
            EdgeTpuException.class, () -> lib.openDelegate("pci", EdgeTpuOptions.defaults()));
    assertTrue(e.getMessage().contains("No PCI EdgeTPU device found"), e.getMessage());
    assertEquals("0", FakeEdgeTpu.stats(lib).get("create"));
    assertEquals("-1", FakeEdgeTpu.stats(lib).get("type"));
  }

  @Test
  void verbosityIsValidatedAndForwarded() {
    lib.verbosity(7);
    assertEquals("7", FakeEdgeTpu.stats(lib).get("verbosity"));
    assertThrows(IllegalArgumentException.class, () -> lib.verbosity(11));
    assertThrows(IllegalArgumentException.class, () -> lib.verbosity(-1));
    assertEquals("7", FakeEdgeTpu.stats(lib).get("verbosity"));
  }

  @Test
  void concurrentOpenAndCloseBalance() throws Exception {
    FakeEdgeTpu.control(lib, "devices=usb,pci");
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> jobs = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String selector = t % 2 == 0 ? "usb" : "pci:0";
        jobs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    try (EdgeTpuDelegate d =
                        lib.openDelegate(selector, EdgeTpuOptions.defaults())) {
                      assertNotEquals(0L, d.address());
                    }
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : jobs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    Map<String, String> s = FakeEdgeTpu.stats(lib);
    assertEquals("100", s.get("create"));
    assertEquals("100", s.get("free_delegate"));
    assertEquals("100", s.get("list"));
    assertEquals("100", s.get("free_devices"));
  }

  @Test
  void findsSymbolsOnlyInLoadedLibraries() {
    assertTrue(
        EdgeTpu.loadedSymbolAddress(FakeEdgeTpu.path().toString(), "edgetpu_version").isPresent());
    assertFalse(
        EdgeTpu.loadedSymbolAddress(FakeEdgeTpu.path().toString(), "no_such_symbol").isPresent());
    assertFalse(EdgeTpu.loadedSymbolAddress("/nonexistent/libx.so", "edgetpu_version").isPresent());
  }
}
