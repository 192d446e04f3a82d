package org.qat4j.runtime.edgetpu;

import java.util.List;
import java.util.Locale;

/**
 * Device selector with pycoral's syntax: {@code ""}/{@code "any"} (first device), {@code ":N"}
 * (N-th device overall), {@code "usb"}, {@code "usb:N"}, {@code "pci"}, {@code "pci:N"} (N-th of
 * that type, in libedgetpu's enumeration order). {@code type == null} means any type, {@code index
 * == -1} means the first match.
 */
public record EdgeTpuSelector(EdgeTpuDevice.Type type, int index) {
  private static final String SYNTAX =
      "expected \"\", \"any\", \":N\", \"usb\", \"usb:N\", \"pci\" or \"pci:N\" with 0 <= N <= 9999";

  /** Any device of any type. */
  public static final EdgeTpuSelector ANY = new EdgeTpuSelector(null, -1);

  public EdgeTpuSelector {
    if (index < -1 || index > 9999) {
      throw new IllegalArgumentException(
          "EdgeTPU selector index " + index + " out of range: " + SYNTAX);
    }
  }

  /** Parses a selector; null is "any". Throws IllegalArgumentException naming the bad text. */
  public static EdgeTpuSelector parse(String text) {
    if (text == null) {
      return ANY;
    }
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.isEmpty() || s.equals("any")) {
      return ANY;
    }
    int colon = s.indexOf(':');
    String prefix = colon < 0 ? s : s.substring(0, colon);
    EdgeTpuDevice.Type type =
        switch (prefix) {
          case "usb" -> EdgeTpuDevice.Type.USB;
          case "pci" -> EdgeTpuDevice.Type.PCI;
          case "" -> null;
          default -> throw bad(text);
        };
    if (colon < 0) {
      return new EdgeTpuSelector(type, -1);
    }
    String digits = s.substring(colon + 1);
    if (digits.isEmpty()
        || digits.length() > 4
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw bad(text);
    }
    return new EdgeTpuSelector(type, Integer.parseInt(digits));
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException(
        "Invalid EdgeTPU device selector \"" + text + "\": " + SYNTAX);
  }

  /** Picks the device this selector names from an enumeration, or throws EdgeTpuException. */
  public EdgeTpuDevice resolve(List<EdgeTpuDevice> devices) {
    List<EdgeTpuDevice> matching =
        devices.stream().filter(d -> type == null || d.type() == type).toList();
    if (matching.isEmpty()) {
      throw new EdgeTpuException(
          "No "
              + (type == null ? "" : type + " ")
              + "EdgeTPU device found (enumerated: "
              + devices
              + "). "
              + EdgeTpu.noDeviceHint());
    }
    int i = Math.max(index, 0);
    if (i >= matching.size()) {
      throw new EdgeTpuException(
          "EdgeTPU selector \""
              + this
              + "\" asks for device #"
              + i
              + " but only "
              + matching.size()
              + " match: "
              + matching);
    }
    return matching.get(i);
  }

  @Override
  public String toString() {
    String t = type == null ? "" : type.name().toLowerCase(Locale.ROOT);
    if (index < 0) {
      return type == null ? "any" : t;
    }
    return t + ":" + index;
  }
}
