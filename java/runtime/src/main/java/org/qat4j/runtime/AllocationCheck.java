package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterGetTensor;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorByteSize;

import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * Tensor sizes after TFLite's shape propagation. {@link ModelCheck} can only bound the static
 * shapes; TFLite recomputes every intermediate shape from the inputs, so a huge input (fuzzed:
 * batch 524,289 of 28×28×1, 1.6 GB) inflates the intermediates to many GB, AllocateTensors still
 * reports success and the float depthwise kernel then writes out of bounds (SIGSEGV). Checked after
 * every allocation, before anything is invoked; the kernels' temporaries (im2col buffers and the
 * like, appended after the model's tensors) count too.
 */
final class AllocationCheck {
  /**
   * Guard for the NULL-terminated walk (a model has at most a few thousand tensors plus
   * temporaries).
   */
  private static final int MAX_TENSORS = 1 << 22;

  private AllocationCheck() {}

  /**
   * Throws unless every tensor of the main subgraph, temporaries included, and all of them together
   * fit the runtime's limit. The C API has no tensor count: TfLiteInterpreterGetTensor returns NULL
   * past the last one.
   */
  static void check(TfLiteInterpreter handle, int modelTensors, String step) {
    long total = 0;
    for (int i = 0; i < MAX_TENSORS; i++) {
      TfLiteTensor t = TfLiteInterpreterGetTensor(handle, i);
      if (t == null || t.isNull()) {
        if (i >= modelTensors) {
          return;
        }
        continue;
      }
      long bytes = TfLiteTensorByteSize(t);
      total += bytes;
      if (bytes < 0 || bytes > ModelCheck.MAX_TENSOR_BYTES || total > ModelCheck.MAX_TENSOR_BYTES) {
        throw new TfliteException(
            step,
            "after shape propagation tensor "
                + i
                + " needs "
                + bytes
                + " bytes ("
                + total
                + " in tensors 0.."
                + i
                + "); the runtime allows "
                + ModelCheck.MAX_TENSOR_BYTES
                + " bytes in all tensors together");
      }
    }
  }
}
