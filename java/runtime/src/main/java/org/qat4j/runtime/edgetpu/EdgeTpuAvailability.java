package org.qat4j.runtime.edgetpu;

/**
 * Result of {@link EdgeTpu#probe()}: whether an EdgeTPU can be used, and why not (library not found
 * where, symbol missing, no device, binding not built) or what was found.
 */
public record EdgeTpuAvailability(boolean available, String reason) {

  static EdgeTpuAvailability available(String what) {
    return new EdgeTpuAvailability(true, what);
  }

  static EdgeTpuAvailability unavailable(String why) {
    return new EdgeTpuAvailability(false, why);
  }

  @Override
  public String toString() {
    return available ? "available: " + reason : "unavailable because " + reason;
  }
}
