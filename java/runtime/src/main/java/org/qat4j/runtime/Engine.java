package org.qat4j.runtime;

import org.qat4j.runtime.TensorIO.Meta;
import org.qat4j.runtime.TensorView.Role;

/**
 * Where an {@link Interpreter} runs TFLite: in this process ({@link InProcessEngine}) or in a child
 * process ({@link ChildEngine}). The interpreter validates arguments and guards threads before
 * calling an engine; an engine checks indices and byte counts again before touching TFLite's
 * memory.
 */
interface Engine {
  /** Coverage of the current execution plan (after creation or the latest resize). */
  DelegateCoverage coverage();

  /** Number of inputs, outputs or model tensors. */
  int count(Role role);

  /** Metadata of a tensor; the index is checked against {@link #count}. */
  Meta meta(Role role, int index);

  void write(Role role, int index, Meta m, float[] src);

  void write(Role role, int index, Meta m, int[] src);

  void write(Role role, int index, Meta m, byte[] src);

  float[] readFloats(Role role, int index, Meta m);

  int[] readInts(Role role, int index, Meta m);

  byte[] readBytes(Role role, int index, Meta m);

  void invoke();

  /** Resizes input {@code i} (dims already range-checked) and re-allocates. */
  void resize(int i, int[] shape);

  /** Frees native objects (or ends the child); a second call does nothing. */
  void close();
}
