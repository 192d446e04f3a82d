package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteOpaqueDelegateStruct;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * A TFLite interpreter over a {@link TfliteModel} on one {@link Backend}. Tensors are NHWC as stored in the model.
 * Not thread-safe (like TFLite); concurrent use from a second thread throws instead of corrupting memory. Owns the
 * delegates it created; closing frees the interpreter first, then delegates, then releases the model.
 */
public final class Interpreter implements AutoCloseable {
  private final TfliteModel model;
  private final Options options;
  private final Pointer log;
  private final List<Delegate> delegates = new ArrayList<>();
  private final CoverageProbe probe;
  private final OpProfiler profiler;
  private final AtomicReference<Thread> user = new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
  private TfLiteInterpreter handle;
  private DelegateCoverage coverage;

  private Interpreter(TfliteModel model, Options options) {
    this.model = Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    model.retain();
    this.log = Native.openLog();
    this.probe = new CoverageProbe();
    this.profiler = options.profiling() ? new OpProfiler() : null;
    try {
      create();
      coverage = probe.coverage(options.backend(), model.operatorCount());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Creates an interpreter on the BUILTIN backend with default threads. */
  public static Interpreter create(TfliteModel model) {
    return new Interpreter(model, Options.defaults());
  }

  public static Interpreter create(TfliteModel model, Options options) {
    return new Interpreter(model, options);
  }

  private void create() {
    TfLiteInterpreterOptions o = TfLiteInterpreterOptionsCreate();
    if (o == null || o.isNull()) {
      throw new TfliteException("TfLiteInterpreterOptionsCreate", "returned NULL");
    }
    try {
      TfLiteInterpreterOptionsSetErrorReporter(o, Native.reporter(), log);
      if (options.threads() != -1) {
        TfLiteInterpreterOptionsSetNumThreads(o, options.threads());
      }
      addBackend(o);
      TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(probe.delegate()));
      if (profiler != null) {
        TfLiteInterpreterOptionsSetTelemetryProfiler(o, profiler.struct());
      }
      TfLiteInterpreter it = TfLiteInterpreterCreate(model.retainedHandle(), o);
      if (it == null || it.isNull()) {
        throw new TfliteException("TfLiteInterpreterCreate", explain(Native.drainLog(log)));
      }
      handle = it;
      check(TfLiteInterpreterAllocateTensors(handle), "TfLiteInterpreterAllocateTensors");
      AllocationCheck.check(handle, model.tensorCount(), "TfLiteInterpreterAllocateTensors");
    } finally {
      TfLiteInterpreterOptionsDelete(o);
    }
  }

  private void addBackend(TfLiteInterpreterOptions o) {
    Backend b = options.backend();
    if (b == Backend.NNAPI) {
      TfLiteInterpreterOptionsSetUseNNAPI(o, true);
      return;
    }
    if (b == Backend.BUILTIN) {
      return;
    }
    Delegate d = options.sharedDelegate();
    boolean own = d == null;
    if (own) {
      d = Delegate.create(b, options.backendOptions(), options.threads());
    }
    long address;
    try {
      address = d.acquire();
    } finally {
      if (own) {
        d.close();
      }
    }
    delegates.add(d);
    TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(Native.at(address)));
  }

  public Backend backend() {
    return options.backend();
  }

  public Options options() {
    return options;
  }

  /** Which operators the backend took and which stayed on CPU (computed after creation and after resizes). */
  public DelegateCoverage coverage() {
    return coverage;
  }

  public int inputCount() {
    return enter(() -> TfLiteInterpreterGetInputTensorCount(handle));
  }

  public int outputCount() {
    return enter(() -> TfLiteInterpreterGetOutputTensorCount(handle));
  }

  public TensorInfo inputInfo(int i) {
    return enter(() -> TensorIO.info(input(i), i));
  }

  public TensorInfo outputInfo(int i) {
    return enter(() -> TensorIO.info(output(i), i));
  }

  public TensorInfo inputInfo(String name) {
    return inputInfo(inputIndex(name));
  }

  public TensorInfo outputInfo(String name) {
    return outputInfo(outputIndex(name));
  }

  /** Index of the input with this tensor name; the message lists the available names. */
  public int inputIndex(String name) {
    return indexOf(name, inputCount(), true);
  }

  public int outputIndex(String name) {
    return indexOf(name, outputCount(), false);
  }

  private int indexOf(String name, int n, boolean in) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String s = (in ? inputInfo(i) : outputInfo(i)).name();
      if (s.equals(name)) {
        return i;
      }
      names.add(s);
    }
    throw new IllegalArgumentException("no " + (in ? "input" : "output") + " named '" + name + "'; have " + names);
  }

  public void setInput(int i, float[] data) {
    run(() -> TensorIO.write(input(i), TensorIO.info(input(i), i), "input " + i, data));
  }

  public void setInput(int i, byte[] data) {
    run(() -> TensorIO.write(input(i), TensorIO.info(input(i), i), "input " + i, data));
  }

  public void setInput(int i, int[] data) {
    run(() -> TensorIO.write(input(i), TensorIO.info(input(i), i), "input " + i, data));
  }

  /** Copies raw little-endian bytes between the buffer's position and limit (byte count must equal the tensor's). */
  public void setInput(int i, ByteBuffer data) {
    run(() -> TensorIO.write(input(i), TensorIO.info(input(i), i), "input " + i, data));
  }

  public void setInput(String name, float[] data) {
    setInput(inputIndex(name), data);
  }

  public void setInput(String name, byte[] data) {
    setInput(inputIndex(name), data);
  }

  public void setInput(String name, int[] data) {
    setInput(inputIndex(name), data);
  }

  public void setInput(String name, ByteBuffer data) {
    setInput(inputIndex(name), data);
  }

  /** Sets real values, quantizing with the input's own parameters when it is int8/uint8. */
  public void setInputReal(int i, float[] real) {
    TensorInfo info = inputInfo(i);
    if (info.type() == DataType.FLOAT32) {
      setInput(i, real);
    } else {
      setInput(i, Quantizer.quantize(real, info.quantization(), info.type()));
    }
  }

  public void invoke() {
    run(() -> check(TfLiteInterpreterInvoke(handle), "TfLiteInterpreterInvoke"));
  }

  public float[] outputFloats(int i) {
    return enter(() -> TensorIO.readFloats(output(i), TensorIO.info(output(i), i), "output " + i));
  }

  public byte[] outputBytes(int i) {
    return enter(() -> TensorIO.readBytes(output(i), TensorIO.info(output(i), i), "output " + i));
  }

  public int[] outputInts(int i) {
    return enter(() -> TensorIO.readInts(output(i), TensorIO.info(output(i), i), "output " + i));
  }

  /** Raw output bytes in TFLite's element order (little-endian). */
  public ByteBuffer outputBuffer(int i) {
    return ByteBuffer.wrap(enter(() -> TensorIO.readRaw(output(i), TensorIO.info(output(i), i), "output " + i)))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  public float[] outputFloats(String name) {
    return outputFloats(outputIndex(name));
  }

  public byte[] outputBytes(String name) {
    return outputBytes(outputIndex(name));
  }

  /** Output as real values, dequantized with the output's own parameters when it is int8/uint8. */
  public float[] outputReal(int i) {
    TensorInfo info = outputInfo(i);
    if (info.type() == DataType.FLOAT32) {
      return outputFloats(i);
    }
    return Quantizer.dequantize(outputBytes(i), info.quantization(), info.type());
  }

  /**
   * Info of any tensor of the main subgraph by its model index (0 ≤ index &lt; {@link TfliteModel#tensorCount()}).
   * The C API has no preserve-all-tensors option: intermediate values are only meaningful until TFLite's arena
   * reuses their memory, so compare per layer by exporting intermediates as model outputs.
   */
  public TensorInfo tensorInfo(int index) {
    return enter(() -> TensorIO.info(tensor(index), index));
  }

  /** Raw bytes of any tensor (see {@link #tensorInfo(int)} for the caveat on intermediates). */
  public byte[] readTensor(int index) {
    return enter(() -> TensorIO.readRaw(tensor(index), TensorIO.info(tensor(index), index), "tensor " + index));
  }

  private TfLiteTensor tensor(int index) {
    int n = model.tensorCount();
    if (index < 0 || index >= n) {
      throw new IndexOutOfBoundsException("tensor index " + index + " out of range [0," + n + ")");
    }
    return nonNull(TfLiteInterpreterGetTensor(handle, index), "TfLiteInterpreterGetTensor(" + index + ")");
  }

  /** Resizes input i (each dim in [1, 2^20], at most 2^28 elements) and re-allocates tensors. */
  public void resizeInput(int i, int... shape) {
    long elems = 1;
    for (int d : shape) {
      if (d < 1 || d > (1 << 20)) {
        throw new IllegalArgumentException("dimension " + d + " outside [1, 2^20] in " + java.util.Arrays.toString(shape));
      }
      elems *= d;
    }
    if (shape.length == 0 || shape.length > 8 || elems > (1L << 28)) {
      throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " has rank " + shape.length
          + " and " + elems + " elements (limits: rank 1..8, 2^28 elements)");
    }
    run(() -> {
      input(i);
      check(TfLiteInterpreterResizeInputTensor(handle, i, shape, shape.length), "TfLiteInterpreterResizeInputTensor");
      check(TfLiteInterpreterAllocateTensors(handle), "TfLiteInterpreterAllocateTensors after resize");
      AllocationCheck.check(handle, model.tensorCount(), "TfLiteInterpreterAllocateTensors after resize");
      coverage = probe.coverage(options.backend(), model.operatorCount());
    });
  }

  /** Per-operator timings since creation or the last reset (requires {@link Options.Builder#profiling(boolean)}). */
  public List<OpStats> opProfile() {
    if (profiler == null) {
      throw new IllegalStateException("profiling was not enabled in Options");
    }
    return profiler.table();
  }

  public void resetOpProfile() {
    if (profiler != null) {
      profiler.reset();
    }
  }

  private TfLiteTensor input(int i) {
    int n = TfLiteInterpreterGetInputTensorCount(handle);
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException("input index " + i + " out of range [0," + n + ")");
    }
    return nonNull(TfLiteInterpreterGetInputTensor(handle, i), "TfLiteInterpreterGetInputTensor(" + i + ")");
  }

  private TfLiteTensor output(int i) {
    int n = TfLiteInterpreterGetOutputTensorCount(handle);
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException("output index " + i + " out of range [0," + n + ")");
    }
    return nonNull(TfLiteInterpreterGetOutputTensor(handle, i), "TfLiteInterpreterGetOutputTensor(" + i + ")");
  }

  private static TfLiteTensor nonNull(TfLiteTensor t, String step) {
    if (t == null || t.isNull()) {
      throw new TfliteException(step, "returned NULL");
    }
    return t;
  }

  private void check(int status, String step) {
    if (status != kTfLiteOk) {
      throw new TfliteException(step, "status " + status + ": " + explain(Native.drainLog(log)));
    }
  }

  /**
   * Leads with the model's custom op names when TFLite reports an unresolved one: a one-line cause up front, and the
   * only place the names appear when the Java fallback reporter logs bare formats ({@code %s}).
   */
  private String explain(String tfliteLog) {
    String msg = orNone(tfliteLog);
    if (msg.contains("custom op")) {
      List<String> custom = new ArrayList<>();
      for (String op : model.operatorNames()) {
        if (!op.startsWith("BUILTIN_") && !op.equals(op.toUpperCase()) && !custom.contains(op)) {
          custom.add(op);
        }
      }
      msg = "unresolved custom op " + custom + " (no delegate or registration provides it). TFLite: " + msg;
    }
    return msg;
  }

  private static String orNone(String s) {
    return s.isEmpty() ? "no message from TFLite" : s;
  }

  private void run(Runnable r) {
    enter(() -> {
      r.run();
      return null;
    });
  }

  private <T> T enter(java.util.function.Supplier<T> body) {
    Thread me = Thread.currentThread();
    Thread prev = user.get();
    if (prev != me && !user.compareAndSet(null, me)) {
      throw new IllegalStateException("Interpreter is in use by thread '" + user.get().getName()
          + "'; concurrent use from '" + me.getName() + "' is not allowed (create one interpreter per thread)");
    }
    try {
      if (handle == null) {
        throw new IllegalStateException("interpreter is closed");
      }
      return body.get();
    } finally {
      if (prev != me) {
        user.set(null);
      }
    }
  }

  /** Test hook: runs {@code r} while holding the thread guard. */
  void holdGuard(Runnable r) {
    run(r);
  }

  @Override
  public void close() {
    if (!user.compareAndSet(null, Thread.currentThread()) && user.get() != Thread.currentThread()) {
      throw new IllegalStateException("cannot close: interpreter in use by thread '" + user.get().getName() + "'");
    }
    try {
      if (handle != null) {
        TfLiteInterpreterDelete(handle);
        handle = null;
      }
      for (Delegate d : delegates) {
        d.releaseUse();
      }
      delegates.clear();
      if (probe != null) {
        probe.close();
      }
      if (profiler != null) {
        profiler.close();
      }
      if (model != null && released.compareAndSet(false, true)) {
        model.release();
        Native.closeLog(log);
      }
    } finally {
      user.set(null);
    }
  }


/** Immutable interpreter settings; build with {@link #builder()}. Threads -1 means TFLite's default. */
  public static final class Options {
  private final int threads;
  private final Backend backend;
  private final Map<String, String> backendOptions;
  private final Delegate sharedDelegate;
  private final boolean profiling;

  private Options(Builder b) {
    this.threads = b.threads;
    this.backend = b.backend;
    this.backendOptions = Map.copyOf(b.backendOptions);
    this.sharedDelegate = b.delegate;
    this.profiling = b.profiling;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** BUILTIN backend, default threads, no profiling. */
  public static Options defaults() {
    return builder().build();
  }

  public int threads() {
    return threads;
  }

  public Backend backend() {
    return backend;
  }

  public Map<String, String> backendOptions() {
    return backendOptions;
  }

  Delegate sharedDelegate() {
    return sharedDelegate;
  }

  public boolean profiling() {
    return profiling;
  }

  /** Builder of {@link Options}. */
  public static final class Builder {
    private int threads = -1;
    private Backend backend = Backend.BUILTIN;
    private final Map<String, String> backendOptions = new LinkedHashMap<>();
    private Delegate delegate;
    private boolean profiling;

    /** Number of CPU threads (1..64) or -1 for TFLite's default. */
    public Builder threads(int n) {
      if (n != -1 && (n < 1 || n > 64)) {
        throw new IllegalArgumentException("threads must be -1 or in [1,64], got " + n);
      }
      this.threads = n;
      return this;
    }

    public Builder backend(Backend b) {
      this.backend = java.util.Objects.requireNonNull(b, "backend");
      return this;
    }

    /** Backend-specific key/value, e.g. XNNPACK "force_fp16"="true", EdgeTPU "device"="usb". */
    public Builder backendOption(String key, String value) {
      backendOptions.put(java.util.Objects.requireNonNull(key), java.util.Objects.requireNonNull(value));
      return this;
    }

    /** Uses an existing delegate (shared between interpreters) instead of creating one for the backend. */
    public Builder delegate(Delegate d) {
      this.delegate = d;
      this.backend = d.backend();
      return this;
    }

    /** Collects per-operator timings (telemetry profiler) readable through {@link Interpreter#opProfile()}. */
    public Builder profiling(boolean on) {
      this.profiling = on;
      return this;
    }

    public Options build() {
      return new Options(this);
    }
  }
}
}
