package org.qat4j.runtime;

import java.util.List;
import java.util.Map;

/**
 * How much of the model a backend took after interpreter creation: {@code delegatedOps} model
 * operators replaced by {@code delegateNodes} delegate kernels, {@code cpuOps} left on TFLite's CPU
 * kernels (names in {@code cpuOpCounts}).
 */
public record DelegateCoverage(
    Backend backend,
    int modelOps,
    int delegateNodes,
    int delegatedOps,
    int cpuOps,
    Map<String, Integer> cpuOpCounts,
    List<String> delegateKernels) {

  /** True when at least one operator runs inside a delegate. */
  public boolean delegated() {
    return delegateNodes > 0 && delegatedOps > 0;
  }

  /** One-line summary; never claims delegation when everything ran on CPU. */
  public String summary() {
    if (backend == Backend.BUILTIN) {
      return "BUILTIN: " + cpuOps + "/" + modelOps + " ops on TFLite CPU kernels";
    }
    if (!delegated()) {
      return backend
          + ": not delegated: ran on CPU ("
          + cpuOps
          + "/"
          + modelOps
          + " ops on CPU kernels)";
    }
    String how = cpuOps == 0 ? "fully" : "partially";
    return backend
        + ": "
        + how
        + " delegated: "
        + delegatedOps
        + "/"
        + modelOps
        + " ops in "
        + delegateNodes
        + " delegate node(s) "
        + delegateKernels
        + ", "
        + cpuOps
        + " on CPU "
        + (cpuOps == 0 ? "" : cpuOpCounts);
  }

  @Override
  public String toString() {
    return summary();
  }

  /**
   * A listener keeping the latest coverage of the interpreter it is registered with: {@code Latest
   * c = new Latest(); ... Options.builder().listener(c) ...; c.get().summary()}.
   */
  public static final class Latest implements InterpreterListener {
    private volatile DelegateCoverage latest;

    @Override
    public void coverage(DelegateCoverage coverage) {
      latest = coverage;
    }

    /** The latest coverage; fails before an interpreter using this listener was created. */
    public DelegateCoverage get() {
      if (latest == null) {
        throw new IllegalStateException(
            "no interpreter has reported coverage to this listener yet");
      }
      return latest;
    }
  }
}
