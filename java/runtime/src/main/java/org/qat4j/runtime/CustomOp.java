package org.qat4j.runtime;

import java.util.List;

/**
 * A TFLite custom operator implemented in Java, registered by custom-op name with {@link
 * Interpreter.Options.Builder#customOp(String, int, int, CustomOp)}. TFLite calls it on the thread
 * that creates, resizes or invokes the interpreter; tensors are NHWC as stored in the model and the
 * {@link CustomOpTensor} views are valid only during the call. An exception thrown here does not
 * enter native code: the node fails and the interpreter call throws a {@link TfliteException}
 * naming the op, with this exception as the cause.
 */
public interface CustomOp {
  /**
   * Checks the inputs and returns each output's shape (one array per output, dims in [1, 2^20]), or
   * null to keep the shapes stored in the model; called when tensors are allocated and after every
   * resize. Constant inputs can be read here; outputs cannot be written.
   */
  default int[][] prepare(List<CustomOpTensor> inputs, List<CustomOpTensor> outputs) {
    return null;
  }

  /** Reads the inputs and writes every output; output types and shapes are those of prepare. */
  void invoke(List<CustomOpTensor> inputs, List<CustomOpTensor> outputs);
}
