package org.qat4j.runtime.edgetpu;

import java.util.Objects;

/**
 * One EdgeTPU as enumerated by libedgetpu: its bus type and path ({@code /dev/apex_N} for PCIe,
 * {@code /sys/bus/usb/devices/<bus>-<port>} for USB).
 */
public record EdgeTpuDevice(Type type, String path) {

  /** Bus type; {@code code} is libedgetpu's numeric device type. */
  public enum Type {
    PCI(0),
    USB(1);

    final int code;

    Type(int code) {
      this.code = code;
    }

    static Type fromCode(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  public EdgeTpuDevice {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(path, "path");
  }

  @Override
  public String toString() {
    return type.name().toLowerCase(java.util.Locale.ROOT) + " " + path;
  }
}
