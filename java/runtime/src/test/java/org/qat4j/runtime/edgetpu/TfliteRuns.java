package org.qat4j.runtime.edgetpu;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterAllocateTensors;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterGetInputTensor;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterGetOutputTensor;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterInvoke;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsAddDelegate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsSetNumThreads;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorCopyFromBuffer;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorCopyToBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteModel;
import org.bytedeco.tensorflowlite.TfLiteOpaqueDelegateStruct;
import org.qat4j.runtime.SharedModels;

/**
 * Runs the shared MobileNet models once through bytedeco's TFLite C API, optionally with a
 * delegate.
 */
final class TfliteRuns {
  static final int INPUT_BYTES = 128 * 128 * 3;
  static final int CLASSES = 1001;

  private TfliteRuns() {}

  static Path sharedModel(String name) {
    return SharedModels.require(name);
  }

  static int argmax(byte[] scores) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if ((scores[i] & 0xff) > (scores[best] & 0xff)) {
        best = i;
      }
    }
    return best;
  }

  /** Runs one inference on a fixed gradient image; delegate may be null (CPU only). */
  static byte[] run(byte[] model, EdgeTpuDelegate delegate) {
    try (BytePointer buf = new BytePointer(model);
        BytePointer in = new BytePointer(INPUT_BYTES);
        BytePointer out = new BytePointer(CLASSES)) {
      TfLiteModel m = TfLiteModelCreate(buf, model.length);
      assertNotNull(m);
      TfLiteInterpreterOptions o = TfLiteInterpreterOptionsCreate();
      TfLiteInterpreterOptionsSetNumThreads(o, 1);
      Pointer d = delegate == null ? null : delegate.attach();
      if (d != null) {
        TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(d));
      }
      TfLiteInterpreter it = TfLiteInterpreterCreate(m, o);
      try {
        assertTrue(it != null && !it.isNull(), "interpreter creation failed");
        assertEquals(0, TfLiteInterpreterAllocateTensors(it));
        for (int i = 0; i < INPUT_BYTES; i++) {
          in.put(i, (byte) ((i * 7 + (i / 384) * 3) & 0xff));
        }
        assertEquals(
            0, TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, 0), in, INPUT_BYTES));
        assertEquals(0, TfLiteInterpreterInvoke(it));
        assertEquals(
            0, TfLiteTensorCopyToBuffer(TfLiteInterpreterGetOutputTensor(it, 0), out, CLASSES));
        byte[] result = new byte[CLASSES];
        out.get(result);
        return result;
      } finally {
        if (it != null && !it.isNull()) {
          TfLiteInterpreterDelete(it);
        }
        if (delegate != null) {
          delegate.detach();
        }
        TfLiteInterpreterOptionsDelete(o);
        TfLiteModelDelete(m);
      }
    }
  }
}
