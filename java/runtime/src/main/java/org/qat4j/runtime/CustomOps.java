package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.Invoke_Pointer_TfLiteOpaqueContext_TfLiteOpaqueNode;
import org.bytedeco.tensorflowlite.Prepare_Pointer_TfLiteOpaqueContext_TfLiteOpaqueNode;
import org.bytedeco.tensorflowlite.TfLiteContext;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteNode;
import org.bytedeco.tensorflowlite.TfLiteOpaqueContext;
import org.bytedeco.tensorflowlite.TfLiteOpaqueNode;
import org.bytedeco.tensorflowlite.TfLiteOperator;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * The native side of {@link CustomOp}s for one interpreter: a {@code TfLiteOperator} per registered
 * name and version (TFLite's C API operator callbacks), kept alive until after the interpreter is
 * deleted. The two JavaCPP callbacks are static and find the Java op through the operator's user
 * data (an id into {@link #LIVE}). TFLite's opaque context, node and tensor are its {@code
 * TfLiteContext}, {@code TfLiteNode} and {@code TfLiteTensor} (its own opaque accessors cast them
 * so); the preset binds no opaque accessors, so the structs are read directly.
 */
final class CustomOps implements AutoCloseable {
  /** One validated registration from {@link Interpreter.Options.Builder#customOp}. */
  record Registration(String name, int minVersion, int maxVersion, CustomOp op) {}

  private record Slot(CustomOps host, Registration reg, int version) {}

  private record Failure(Registration reg, int version, Throwable cause) {}

  private static final Map<Long, Slot> LIVE = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong(1);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
  private static Prepare_Pointer_TfLiteOpaqueContext_TfLiteOpaqueNode prepare;
  private static Invoke_Pointer_TfLiteOpaqueContext_TfLiteOpaqueNode invoke;

  private final List<Long> ids = new ArrayList<>();
  private final List<TfLiteOperator> operators = new ArrayList<>();
  private final List<BytePointer> names = new ArrayList<>();
  private final Map<Long, ByteBuffer> options = new ConcurrentHashMap<>();
  private volatile Failure failure;

  /** Validates one registration against those already made (names are unique). */
  static Registration registration(
      List<Registration> existing, String name, int minVersion, int maxVersion, CustomOp op) {
    Objects.requireNonNull(name, "custom op name");
    Objects.requireNonNull(op, "custom op implementation for '" + name + "'");
    if (name.isEmpty() || name.length() > 128 || !name.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException(
          "custom op name '" + name + "' must be 1..128 printable ASCII characters, no spaces");
    }
    if (minVersion < 1 || maxVersion < minVersion || maxVersion - minVersion >= 64) {
      throw new IllegalArgumentException(
          "custom op '"
              + name
              + "' versions ["
              + minVersion
              + ", "
              + maxVersion
              + "] must satisfy 1 <= min <= max < min + 64");
    }
    for (Registration r : existing) {
      if (r.name().equals(name)) {
        throw new IllegalArgumentException("custom op '" + name + "' is registered twice");
      }
    }
    return new Registration(name, minVersion, maxVersion, op);
  }

  CustomOps(List<Registration> registrations) {
    if (registrations.isEmpty()) {
      return;
    }
    Native.load();
    callbacks();
    try {
      for (Registration r : registrations) {
        BytePointer name = new BytePointer(r.name());
        names.add(name);
        for (int v = r.minVersion(); v <= r.maxVersion(); v++) {
          add(name, r, v);
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void add(BytePointer name, Registration r, int version) {
    long id = IDS.getAndIncrement();
    TfLiteOperator op = TfLiteOperatorCreate(kTfLiteBuiltinCustom, name, version, Native.at(id));
    if (op == null || op.isNull()) {
      throw new TfliteException("TfLiteOperatorCreate", "returned NULL for '" + r.name() + "'");
    }
    operators.add(op);
    ids.add(id);
    LIVE.put(id, new Slot(this, r, version));
    TfLiteOperatorSetPrepareWithData(op, prepare);
    TfLiteOperatorSetInvokeWithData(op, invoke);
  }

  private static synchronized void callbacks() {
    if (prepare != null) {
      return;
    }
    prepare =
        new Prepare_Pointer_TfLiteOpaqueContext_TfLiteOpaqueNode() {
          @Override
          public int call(Pointer data, TfLiteOpaqueContext c, TfLiteOpaqueNode n) {
            return dispatch(data, c, n, true);
          }
        };
    invoke =
        new Invoke_Pointer_TfLiteOpaqueContext_TfLiteOpaqueNode() {
          @Override
          public int call(Pointer data, TfLiteOpaqueContext c, TfLiteOpaqueNode n) {
            return dispatch(data, c, n, false);
          }
        };
  }

  /** Number of live native operators in this JVM (a test hook for the lifetime). */
  static int liveCount() {
    return LIVE.size();
  }

  /** Adds every operator to the interpreter options (before TfLiteInterpreterCreate). */
  void addTo(TfLiteInterpreterOptions o) {
    for (TfLiteOperator op : operators) {
      TfLiteInterpreterOptionsAddOperator(o, op);
    }
  }

  /**
   * Runs a native step that may call back into custom ops; a Java exception thrown by an op during
   * it is rethrown as a {@link TfliteException} naming the step and the op, with the op's exception
   * as the cause (and TFLite's own failure, if any, suppressed).
   */
  <T> T call(String step, Supplier<T> body) {
    failure = null;
    RuntimeException native_ = null;
    T result = null;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      native_ = e;
    }
    Failure f = failure;
    failure = null;
    if (f != null) {
      TfliteException e =
          new TfliteException(
              step,
              "custom op '" + f.reg().name() + "' version " + f.version() + " threw " + f.cause(),
              f.cause());
      if (native_ != null) {
        e.addSuppressed(native_);
      }
      throw e;
    }
    if (native_ != null) {
      throw native_;
    }
    return result;
  }

  /** Never throws into TFLite: any failure becomes kTfLiteError, recorded for {@link #call}. */
  private static int dispatch(Pointer data, TfLiteOpaqueContext c, TfLiteOpaqueNode n, boolean p) {
    try {
      Slot s = data == null ? null : LIVE.get(data.address());
      if (s == null || c == null || n == null) {
        return kTfLiteError;
      }
      return s.host().run(s, new TfLiteContext(c), new TfLiteNode(n), p);
    } catch (Throwable t) {
      return kTfLiteError;
    }
  }

  private int run(Slot s, TfLiteContext ctx, TfLiteNode node, boolean isPrepare) {
    List<CustomOpTensor> all = new ArrayList<>();
    try {
      String label = s.reg().name();
      List<CustomOpTensor> in = tensors(ctx, node.inputs(), label + " input ", false, all);
      List<CustomOpTensor> out = tensors(ctx, node.outputs(), label + " output ", true, all);
      ByteBuffer opts = options(node, label).duplicate().order(ByteOrder.LITTLE_ENDIAN);
      if (isPrepare) {
        int[][] shapes = s.reg().op().prepare(opts, in, out);
        if (shapes != null) {
          resize(ctx, node.outputs(), shapes, label);
        }
      } else {
        out.forEach(CustomOpTensor::allowWrites);
        s.reg().op().invoke(opts, in, out);
      }
      return kTfLiteOk;
    } catch (Throwable t) {
      if (failure == null) {
        failure = new Failure(s.reg(), s.version(), t);
      }
      return kTfLiteError;
    } finally {
      all.forEach(CustomOpTensor::invalidate);
    }
  }

  /**
   * The node's custom options: a read-only copy, taken once per node (the model's bytes stay where
   * they are for the interpreter's lifetime, so their address identifies the node's options).
   */
  private ByteBuffer options(TfLiteNode node, String op) {
    Pointer data = node.custom_initial_data();
    int size = node.custom_initial_data_size();
    if (data == null || data.isNull() || size == 0) {
      return EMPTY;
    }
    if (size < 0) {
      throw new IllegalStateException(op + ": custom options size " + size + " is not plausible");
    }
    return options.computeIfAbsent(
        data.address(),
        a -> {
          byte[] copy = new byte[size];
          new BytePointer(data).capacity(size).get(copy);
          return ByteBuffer.wrap(copy).asReadOnlyBuffer();
        });
  }

  /** Views of a node's tensors; an omitted optional tensor (index -1) is null. */
  private static List<CustomOpTensor> tensors(
      TfLiteContext ctx, TfLiteIntArray ix, String label, boolean out, List<CustomOpTensor> all) {
    int n = ix == null || ix.isNull() ? 0 : ix.size();
    if (n < 0 || n > 1024) {
      throw new IllegalStateException(label + "count " + n + " is not plausible");
    }
    List<CustomOpTensor> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int t = ix.data(i);
      if (t == kTfLiteOptionalTensor) {
        list.add(null);
        continue;
      }
      CustomOpTensor v = new CustomOpTensor(tensor(ctx, t, label + i), label + i, out);
      all.add(v);
      list.add(v);
    }
    return Collections.unmodifiableList(list);
  }

  private static TfLiteTensor tensor(TfLiteContext ctx, int index, String label) {
    long n = ctx.tensors_size();
    if (index < 0 || index >= n || ctx.tensors() == null || ctx.tensors().isNull()) {
      throw new IllegalStateException(
          label + ": tensor index " + index + " outside [0, " + n + ")");
    }
    return ctx.tensors().getPointer(index);
  }

  private static void resize(TfLiteContext ctx, TfLiteIntArray ix, int[][] shapes, String op) {
    if (shapes.length != ix.size()) {
      throw new IllegalArgumentException(
          op + ".prepare returned " + shapes.length + " shapes for " + ix.size() + " outputs");
    }
    for (int o = 0; o < shapes.length; o++) {
      int[] s = checkShape(shapes[o], op + " output " + o);
      TfLiteIntArray dims = TfLiteIntArrayCreate(s.length);
      for (int d = 0; d < s.length; d++) {
        dims.data(d, s[d]);
      }
      // ResizeTensor takes ownership of dims
      int status = ctx.ResizeTensor().call(ctx, tensor(ctx, ix.data(o), op), dims);
      if (status != kTfLiteOk) {
        throw new TfliteException("ResizeTensor", op + " output " + o + ": status " + status);
      }
    }
  }

  private static int[] checkShape(int[] shape, String what) {
    if (shape == null || shape.length > 8) {
      throw new IllegalArgumentException(what + ": shape must be non-null with rank <= 8");
    }
    long elems = 1;
    for (int d : shape) {
      if (d < 1 || d > (1 << 20)) {
        throw new IllegalArgumentException(
            what + ": dimension " + d + " outside [1, 2^20] in " + Arrays.toString(shape));
      }
      elems *= d;
    }
    if (elems > (1L << 28)) {
      throw new IllegalArgumentException(what + ": more than 2^28 elements");
    }
    return shape.clone();
  }

  /**
   * Frees the operators (after the interpreter using them is deleted); a second call does nothing.
   */
  @Override
  public void close() {
    ids.forEach(LIVE::remove);
    ids.clear();
    operators.forEach(op -> TfLiteOperatorDelete(op));
    operators.clear();
    names.forEach(BytePointer::close);
    names.clear();
    options.clear();
  }
}
