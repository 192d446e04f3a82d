package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.qat4j.runtime.edgetpu.EdgeTpuOptions.Performance;

class EdgeTpuOptionsTest {

  @Test
  void defaultsPassNothing() {
    assertEquals(Map.of(), EdgeTpuOptions.defaults().toMap());
  }

  @Test
  void mapsToLibedgetpuSpellingsInFixedOrder() {
    EdgeTpuOptions o =
        EdgeTpuOptions.defaults()
            .withUsbMaxBulkInQueueLength(0)
            .withUsbAlwaysDfu(true)
            .withPerformance(Performance.MEDIUM);
    assertEquals(
        "{Performance=Medium, Usb.AlwaysDfu=True, Usb.MaxBulkInQueueLength=0}",
        o.toMap().toString());
  }

  @Test
  void queueLengthOutsideByteRangeIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EdgeTpuOptions.defaults().withUsbMaxBulkInQueueLength(256));
    assertThrows(
        IllegalArgumentException.class,
        () -> EdgeTpuOptions.defaults().withUsbMaxBulkInQueueLength(-1));
    assertEquals(
        "255",
        EdgeTpuOptions.defaults()
            .withUsbMaxBulkInQueueLength(255)
            .toMap()
            .get("Usb.MaxBulkInQueueLength"));
  }

  @Test
  void parsesPycoralStyleMaps() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Performance", "high");
    m.put("Usb.AlwaysDfu", "False");
    m.put("Usb.MaxBulkInQueueLength", "64");
    EdgeTpuOptions o = EdgeTpuOptions.fromMap(m);
    assertEquals(new EdgeTpuOptions(Performance.HIGH, false, 64), o);
  }

  @Test
  void rejectsUnknownKeysAndBadValuesNamingThem() {
    assertMessage("Turbo", Map.of("Turbo", "1"));
    assertMessage("selector", Map.of("device", "usb:0"));
    assertMessage("Fast", Map.of("Performance", "Fast"));
    assertMessage("yes", Map.of("Usb.AlwaysDfu", "yes"));
    assertMessage("300", Map.of("Usb.MaxBulkInQueueLength", "300"));
    assertMessage("-1", Map.of("Usb.MaxBulkInQueueLength", "-1"));
    assertMessage("0x10", Map.of("Usb.MaxBulkInQueueLength", "0x10"));
  }

  private static void assertMessage(String expected, Map<String, String> m) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EdgeTpuOptions.fromMap(m));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void parsesRuntimeVersion() {
    assertEquals(
        OptionalInt.of(14),
        EdgeTpu.parseRuntimeVersion(
            "BuildLabel(COMPILER=6.2.1,DATE=redacted), RuntimeVersion(14)"));
    assertEquals(OptionalInt.of(13), EdgeTpu.parseRuntimeVersion("RuntimeVersion(13)"));
    assertEquals(OptionalInt.empty(), EdgeTpu.parseRuntimeVersion("BuildLabel(x)"));
    assertEquals(OptionalInt.empty(), EdgeTpu.parseRuntimeVersion("RuntimeVersion()"));
    assertEquals(OptionalInt.empty(), EdgeTpu.parseRuntimeVersion(null));
  }
}
