package org.qat4j.runtime;

/** Where an interpreter runs its operators. */
public enum Backend {
  /** TFLite's built-in CPU kernels, no delegate. */
  BUILTIN,
  /** The XNNPACK CPU delegate, created explicitly with int8 (QS8) enabled. */
  XNNPACK,
  /** Android NNAPI; on other hosts TFLite silently runs on CPU and coverage says so. */
  NNAPI,
  /** Coral EdgeTPU through a registered {@link DelegateProvider}. */
  EDGETPU
}
