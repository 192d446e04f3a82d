package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qat4j.runtime.edgetpu.EdgeTpuDevice.Type;

class EdgeTpuSelectorTest {
  private static final EdgeTpuDevice USB0 = new EdgeTpuDevice(Type.USB, "/sys/bus/usb/devices/2-1");
  private static final EdgeTpuDevice PCI0 = new EdgeTpuDevice(Type.PCI, "/dev/apex_0");
  private static final EdgeTpuDevice USB1 = new EdgeTpuDevice(Type.USB, "/sys/bus/usb/devices/2-2");
  private static final List<EdgeTpuDevice> DEVICES = List.of(USB0, PCI0, USB1);

  @Test
  void parsesPycoralForms() {
    assertEquals(EdgeTpuSelector.ANY, EdgeTpuSelector.parse(null));
    assertEquals(EdgeTpuSelector.ANY, EdgeTpuSelector.parse(""));
    assertEquals(EdgeTpuSelector.ANY, EdgeTpuSelector.parse(" any "));
    assertEquals(new EdgeTpuSelector(Type.USB, -1), EdgeTpuSelector.parse("usb"));
    assertEquals(new EdgeTpuSelector(Type.USB, 1), EdgeTpuSelector.parse("USB:1"));
    assertEquals(new EdgeTpuSelector(Type.PCI, -1), EdgeTpuSelector.parse("pci"));
    assertEquals(new EdgeTpuSelector(Type.PCI, 0), EdgeTpuSelector.parse("pci:0"));
    assertEquals(new EdgeTpuSelector(null, 2), EdgeTpuSelector.parse(":2"));
  }

  @Test
  void canonicalTextRoundTrips() {
    for (String s : List.of("any", "usb", "usb:3", "pci", "pci:0", ":7")) {
      assertEquals(s, EdgeTpuSelector.parse(s).toString());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ":",
        "usb:",
        "usb:-1",
        "usb:x",
        "usb:1:2",
        "tpu",
        "tpu:0",
        "pci:+1",
        "usb:99999",
        " :1a"
      })
  void rejectsMalformedSelectorsNamingThem(String bad) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EdgeTpuSelector.parse(bad));
    assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
  }

  @Test
  void resolvesInEnumerationOrder() {
    assertEquals(USB0, EdgeTpuSelector.parse("").resolve(DEVICES));
    assertEquals(USB0, EdgeTpuSelector.parse("usb").resolve(DEVICES));
    assertEquals(USB1, EdgeTpuSelector.parse("usb:1").resolve(DEVICES));
    assertEquals(PCI0, EdgeTpuSelector.parse("pci").resolve(DEVICES));
    assertEquals(PCI0, EdgeTpuSelector.parse(":1").resolve(DEVICES));
    assertEquals(USB1, EdgeTpuSelector.parse(":2").resolve(DEVICES));
  }

  @Test
  void missingDevicesGiveClearErrors() {
    EdgeTpuException none =
        assertThrows(EdgeTpuException.class, () -> EdgeTpuSelector.ANY.resolve(List.of()));
    assertTrue(none.getMessage().contains("No EdgeTPU device found"), none.getMessage());
    assertTrue(none.getMessage().contains("udev"), none.getMessage());
    EdgeTpuException noPci =
        assertThrows(
            EdgeTpuException.class, () -> EdgeTpuSelector.parse("pci").resolve(List.of(USB0)));
    assertTrue(noPci.getMessage().contains("No PCI EdgeTPU"), noPci.getMessage());
    EdgeTpuException range =
        assertThrows(EdgeTpuException.class, () -> EdgeTpuSelector.parse("usb:2").resolve(DEVICES));
    assertTrue(
        range.getMessage().contains("usb:2") && range.getMessage().contains("only 2"),
        range.getMessage());
  }
}
