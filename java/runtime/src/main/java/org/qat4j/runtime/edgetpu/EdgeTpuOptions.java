package org.qat4j.runtime.edgetpu;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * libedgetpu delegate options, validated in Java before anything reaches native code. A null
 * component keeps libedgetpu's default (Performance Max, Usb.AlwaysDfu False,
 * Usb.MaxBulkInQueueLength 32). Note that libedgetpu1-std throttles USB Max to High.
 */
public record EdgeTpuOptions(
    Performance performance, Boolean usbAlwaysDfu, Integer usbMaxBulkInQueueLength) {
  static final String KEY_PERFORMANCE = "Performance";
  static final String KEY_ALWAYS_DFU = "Usb.AlwaysDfu";
  static final String KEY_QUEUE = "Usb.MaxBulkInQueueLength";

  /** Clock setting of the EdgeTPU; {@code value} is libedgetpu's spelling. */
  public enum Performance {
    LOW("Low"),
    MEDIUM("Medium"),
    HIGH("High"),
    MAX("Max");

    final String value;

    Performance(String value) {
      this.value = value;
    }
  }

  public EdgeTpuOptions {
    if (usbMaxBulkInQueueLength != null
        && (usbMaxBulkInQueueLength < 0 || usbMaxBulkInQueueLength > 255)) {
      throw new IllegalArgumentException(
          KEY_QUEUE + " must be in 0..255 (0 disables the queue), got " + usbMaxBulkInQueueLength);
    }
  }

  /** All libedgetpu defaults. */
  public static EdgeTpuOptions defaults() {
    return new EdgeTpuOptions(null, null, null);
  }

  public EdgeTpuOptions withPerformance(Performance p) {
    return new EdgeTpuOptions(p, usbAlwaysDfu, usbMaxBulkInQueueLength);
  }

  public EdgeTpuOptions withUsbAlwaysDfu(boolean alwaysDfu) {
    return new EdgeTpuOptions(performance, alwaysDfu, usbMaxBulkInQueueLength);
  }

  public EdgeTpuOptions withUsbMaxBulkInQueueLength(int length) {
    return new EdgeTpuOptions(performance, usbAlwaysDfu, length);
  }

  /**
   * Parses pycoral-style options ({@code {"Performance": "High", "Usb.AlwaysDfu": "True",
   * "Usb.MaxBulkInQueueLength": "64"}}); keys are exact, values case-insensitive. Throws
   * IllegalArgumentException naming the bad key or value.
   */
  public static EdgeTpuOptions fromMap(Map<String, String> options) {
    EdgeTpuOptions o = defaults();
    for (Map.Entry<String, String> e : options.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      o =
          switch (key == null ? "" : key) {
            case KEY_PERFORMANCE -> o.withPerformance(parsePerformance(value));
            case KEY_ALWAYS_DFU -> o.withUsbAlwaysDfu(parseBoolean(value));
            case KEY_QUEUE -> o.withUsbMaxBulkInQueueLength(parseQueue(value));
            case "device" ->
                throw new IllegalArgumentException(
                    "EdgeTPU option \"device\" is not an option here: pass it as the device selector");
            default ->
                throw new IllegalArgumentException(
                    "Unknown EdgeTPU option \""
                        + key
                        + "\"; known: "
                        + KEY_PERFORMANCE
                        + ", "
                        + KEY_ALWAYS_DFU
                        + ", "
                        + KEY_QUEUE);
          };
    }
    return o;
  }

  private static Performance parsePerformance(String v) {
    for (Performance p : Performance.values()) {
      if (p.value.equalsIgnoreCase(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        KEY_PERFORMANCE + " must be Low, Medium, High or Max, got \"" + v + "\"");
  }

  private static boolean parseBoolean(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              KEY_ALWAYS_DFU + " must be True or False, got \"" + v + "\"");
    };
  }

  private static int parseQueue(String v) {
    if (v.isEmpty() || v.length() > 3 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          KEY_QUEUE + " must be an integer in 0..255, got \"" + v + "\"");
    }
    return Integer.parseInt(v);
  }

  /** The options set, as libedgetpu key/value strings in a fixed order. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    if (performance != null) {
      m.put(KEY_PERFORMANCE, performance.value);
    }
    if (usbAlwaysDfu != null) {
      m.put(KEY_ALWAYS_DFU, usbAlwaysDfu ? "True" : "False");
    }
    if (usbMaxBulkInQueueLength != null) {
      m.put(KEY_QUEUE, Integer.toString(usbMaxBulkInQueueLength));
    }
    return m;
  }

  @Override
  public String toString() {
    return toMap().isEmpty() ? "defaults" : toMap().toString();
  }
}
