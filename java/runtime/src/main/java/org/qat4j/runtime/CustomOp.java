package org.qat4j.runtime;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A TFLite custom operator implemented in Java, registered by custom-op name with {@link
 * Interpreter.Options.Builder#customOp(String, int, int, CustomOp)}. TFLite calls it on the thread
 * that creates, resizes or invokes the interpreter; tensors are NHWC as stored in the model and the
 * {@link CustomOpTensor} views are valid only during the call. An exception thrown here does not
 * enter native code: the node fails and the interpreter call throws a {@link TfliteException}
 * naming the op, with this exception as the cause.
 *
 * <p>{@code options} is the node's {@code custom_options} from the model (for example a FlexBuffer
 * or the op's own encoding): a read-only, little-endian view of a copy taken when the interpreter
 * first prepares the node, the same bytes in prepare and invoke, empty when the model stores none.
 * Its position and limit are the caller's to move; each call gets a fresh view.
 */
public interface CustomOp {
  /**
   * Checks the inputs and returns each output's shape (one array per output, dims in [1, 2^20]), or
   * null to keep the shapes stored in the model; called when tensors are allocated and after every
   * resize. Constant inputs can be read here; outputs cannot be written.
   */
  default int[][] prepare(
      ByteBuffer options, List<CustomOpTensor> inputs, List<CustomOpTensor> outputs) {
    return null;
  }

  /** Reads the inputs and writes every output; output types and shapes are those of prepare. */
  void invoke(ByteBuffer options, List<CustomOpTensor> inputs, List<CustomOpTensor> outputs);
}
