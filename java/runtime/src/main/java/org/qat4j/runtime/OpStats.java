package org.qat4j.runtime;

/**
 * Per-operator-type timing from the telemetry profiler: invocations and total wall time in
 * milliseconds.
 */
public record OpStats(String name, long count, double totalMs) {
  public double avgMs() {
    return count == 0 ? 0 : totalMs / count;
  }
}
