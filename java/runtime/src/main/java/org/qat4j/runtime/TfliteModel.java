package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelCreateWithErrorReporter;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelDelete;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteModel;

/**
 * A validated .tflite model loaded into native memory. The native copy of the bytes and the
 * TfLiteModel stay alive until this object is closed <em>and</em> every {@link Interpreter} created
 * from it is closed (reference counted).
 */
public final class TfliteModel implements AutoCloseable {
  private final ModelSummary summary;
  private final long byteSize;
  private BytePointer bytes;

  /**
   * The reporter's user data, freed only after TfLiteModelDelete (the C reporter writes into it).
   */
  private Pointer log;

  private TfLiteModel handle;
  private int interpreters;
  private boolean closed;

  private TfliteModel(byte[] data) {
    this.summary = validate(data);
    this.byteSize = data.length;
    Native.load();
    this.bytes = new BytePointer(data.length);
    bytes.put(data, 0, data.length);
    try {
      log = Native.openLog();
      handle = TfLiteModelCreateWithErrorReporter(bytes, data.length, Native.reporter(), log);
      if (handle == null || handle.isNull()) {
        handle = null;
        throw new TfliteException(
            "TfLiteModelCreate",
            "model rejected by the TFLite verifier: "
                + orDefault(Native.drainLog(log), "no message"));
      }
    } catch (RuntimeException e) {
      freeNative();
      throw e;
    }
  }

  /** Validates and loads model bytes (copied; the array may be reused afterwards). */
  public static TfliteModel fromBytes(byte[] data) {
    return new TfliteModel(data);
  }

  /** Reads, validates and loads a .tflite file. */
  public static TfliteModel fromFile(Path path) throws IOException {
    return new TfliteModel(Files.readAllBytes(path));
  }

  /** Java-side check of untrusted bytes before they reach native code. */
  static ModelSummary validate(byte[] data) {
    return ModelCheck.check(data);
  }

  /** Size of the .tflite bytes. */
  public long byteSize() {
    return byteSize;
  }

  /** Operators in the main subgraph (used for delegate coverage). */
  public int operatorCount() {
    return summary.operatorCount();
  }

  /** Tensors in the main subgraph. */
  public int tensorCount() {
    return summary.tensorCount();
  }

  /** Operator names of the main subgraph in model order (builtin names or custom codes). */
  public List<String> operatorNames() {
    return summary.operatorNames();
  }

  /** Rows input {@code i} may index (an INT32 GATHER position input), or −1. */
  int indexLimit(int i) {
    return summary.indexLimit(i);
  }

  synchronized void retain() {
    if (closed) {
      throw new IllegalStateException("model is closed");
    }
    interpreters++;
  }

  /**
   * A copy of the model bytes (for an isolated interpreter's child); fails once the model is
   * closed.
   */
  synchronized byte[] bytes() {
    if (closed || bytes == null) {
      throw new IllegalStateException("model is closed");
    }
    byte[] out = new byte[(int) byteSize];
    bytes.position(0).get(out);
    return out;
  }

  synchronized TfLiteModel retainedHandle() {
    if (interpreters == 0 || handle == null) {
      throw new IllegalStateException("model handle used without retain()");
    }
    return handle;
  }

  synchronized void release() {
    interpreters--;
    freeIfUnused();
  }

  /** True once the native memory has been released. */
  public synchronized boolean isReleased() {
    return handle == null;
  }

  @Override
  public synchronized void close() {
    closed = true;
    freeIfUnused();
  }

  private void freeIfUnused() {
    if (closed && interpreters == 0 && handle != null) {
      TfLiteModelDelete(handle);
      handle = null;
      freeNative();
    }
  }

  private void freeNative() {
    bytes.close();
    bytes = null;
    if (log != null) {
      Native.closeLog(log);
      log = null;
    }
  }

  private static String orDefault(String s, String d) {
    return s.isEmpty() ? d : s;
  }
}
