package org.qat4j.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A TFLite interpreter over a {@link TfliteModel} on one {@link Backend}; inputs and outputs are
 * {@link TensorView} views (NHWC as stored in the model). Not thread-safe (like TFLite): concurrent
 * use from a second thread throws instead of corrupting memory. Owns the delegates it created;
 * closing frees the interpreter first, then delegates, then releases the model. Coverage and
 * operator timings reach {@link InterpreterListener}s set in {@link Options}. With {@link
 * Options.Builder#isolated(boolean)} TFLite runs in a child process behind the same methods.
 *
 * <pre>{@code
 * try (TfliteModel model = TfliteModel.fromFile(path);
 *      Interpreter it = Interpreter.create(model, Interpreter.Options.builder().backend(Backend.XNNPACK).build())) {
 *   it.input(0).writeReal(pixels);
 *   it.invoke();
 *   float[] probabilities = it.output(0).readReal();
 * }
 * }</pre>
 */
public final class Interpreter implements AutoCloseable {
  private final Options options;
  private final TfliteModel model;
  private final AtomicReference<Thread> user = new AtomicReference<>();
  private Engine engine;

  private Interpreter(TfliteModel model, Options options) {
    Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    this.model = model;
    if (options.isolated() && options.sharedDelegate() != null) {
      throw new IllegalArgumentException(
          "an isolated interpreter cannot use a shared Delegate (it lives in this "
              + "process); set the backend instead");
    }
    if (options.isolated() && !options.customOps().isEmpty()) {
      throw new IllegalArgumentException(
          "an isolated interpreter cannot run Java custom ops (they live in this process)");
    }
    this.engine =
        options.isolated() ? new ChildEngine(model, options) : new InProcessEngine(model, options);
    try {
      reportCoverage();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * An interpreter on the BUILTIN backend with TFLite's default threads: {@code
   * Interpreter.create(model)}.
   */
  public static Interpreter create(TfliteModel model) {
    return new Interpreter(model, Options.defaults());
  }

  /**
   * An interpreter with options; the model stays alive until this interpreter is closed, e.g.
   * {@code Interpreter.create(model,
   * Interpreter.Options.builder().backend(Backend.XNNPACK).threads(2).build())}.
   */
  public static Interpreter create(TfliteModel model, Options options) {
    return new Interpreter(model, options);
  }

  private void reportCoverage() {
    DelegateCoverage c = engine.coverage();
    for (InterpreterListener l : options.listeners()) {
      l.coverage(c);
    }
  }

  /** The options this interpreter was created with, e.g. {@code it.options().backend()}. */
  public Options options() {
    return options;
  }

  /** Rows input {@code i} may index (an INT32 GATHER position input), or −1. */
  int indexLimit(int i) {
    return model.indexLimit(i);
  }

  /** Number of model inputs: {@code for (int i = 0; i < it.inputCount(); i++) it.input(i)...}. */
  public int inputCount() {
    return enter(() -> engine.count(TensorView.Role.INPUT));
  }

  /** Number of model outputs. */
  public int outputCount() {
    return enter(() -> engine.count(TensorView.Role.OUTPUT));
  }

  /** Input {@code i} (checked against {@link #inputCount()}): {@code it.input(0).write(pixels)}. */
  public TensorView input(int i) {
    return view(TensorView.Role.INPUT, i);
  }

  /**
   * The input with this tensor name; the message lists the available names: {@code
   * it.input("x").shape()}.
   */
  public TensorView input(String name) {
    return input(indexOf(name, TensorView.Role.INPUT));
  }

  /** Output {@code i}: {@code float[] y = it.output(0).readReal()}. */
  public TensorView output(int i) {
    return view(TensorView.Role.OUTPUT, i);
  }

  /** The output with this tensor name: {@code it.output("logits").readFloats()}. */
  public TensorView output(String name) {
    return output(indexOf(name, TensorView.Role.OUTPUT));
  }

  /**
   * Any tensor of the main subgraph by its model index (0 ≤ index &lt; {@link
   * TfliteModel#tensorCount()}), read-only: {@code byte[] w = it.tensor(1).readBytes()}. The C API
   * has no preserve-all-tensors option: intermediate values are only meaningful until TFLite's
   * arena reuses their memory, so compare per layer by exporting intermediates as model outputs.
   */
  public TensorView tensor(int index) {
    return view(TensorView.Role.MODEL, index);
  }

  private TensorView view(TensorView.Role role, int index) {
    return enter(
        () -> {
          engine.meta(role, index);
          return new TensorView(this, role, index);
        });
  }

  private int indexOf(String name, TensorView.Role role) {
    return enter(
        () -> {
          int n = engine.count(role);
          List<String> names = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            String s = engine.meta(role, i).name();
            if (s.equals(name)) {
              return i;
            }
            names.add(s);
          }
          throw new IllegalArgumentException(
              "no "
                  + role.name().toLowerCase(java.util.Locale.ROOT)
                  + " named '"
                  + name
                  + "'; have "
                  + names);
        });
  }

  /**
   * Runs the model on the current inputs: {@code it.input(0).write(x); it.invoke();
   * it.output(0).readFloats()}.
   */
  public void invoke() {
    run(() -> engine.invoke());
  }

  /**
   * Resizes input {@code i} (each dim in [1, 2^20], at most 2^28 elements), re-allocates tensors
   * and reports coverage again to the listeners: {@code it.resizeInput(0, 8, 28, 28, 1)} for a
   * batch of 8.
   */
  public void resizeInput(int i, int... shape) {
    long elems = 1;
    for (int d : shape) {
      if (d < 1 || d > (1 << 20)) {
        throw new IllegalArgumentException(
            "dimension " + d + " outside [1, 2^20] in " + Arrays.toString(shape));
      }
      elems *= d;
    }
    if (shape.length == 0 || shape.length > 8 || elems > (1L << 28)) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " has rank "
              + shape.length
              + " and "
              + elems
              + " elements (limits: rank 1..8, 2^28 elements)");
    }
    run(
        () -> {
          int n = engine.count(TensorView.Role.INPUT);
          if (i < 0 || i >= n) {
            throw TensorView.Role.INPUT.outOfRange(i, n);
          }
          engine.resize(i, shape.clone());
          reportCoverage();
        });
  }

  /** The engine behind this interpreter's views. Call inside {@link #enter}. */
  Engine engine() {
    return engine;
  }

  private void run(Runnable r) {
    enter(
        () -> {
          r.run();
          return null;
        });
  }

  /**
   * Runs {@code body} as this interpreter's only user thread (re-entrant), after checking it is
   * open.
   */
  <T> T enter(Supplier<T> body) {
    Thread me = Thread.currentThread();
    Thread prev = user.get();
    if (prev != me && !user.compareAndSet(null, me)) {
      throw new IllegalStateException(
          "Interpreter is in use by thread '"
              + user.get().getName()
              + "'; concurrent use from '"
              + me.getName()
              + "' is not allowed (create one interpreter per thread)");
    }
    try {
      if (engine == null) {
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

  /**
   * Frees the native interpreter, then its delegates, then releases the model; a second close does
   * nothing. An isolated interpreter ends its child process (killed if it does not exit); a crash
   * while TFLite deletes the interpreter there throws a {@link TfliteException} naming the signal,
   * after the child is gone.
   */
  @Override
  public void close() {
    if (!user.compareAndSet(null, Thread.currentThread()) && user.get() != Thread.currentThread()) {
      throw new IllegalStateException(
          "cannot close: interpreter in use by thread '" + user.get().getName() + "'");
    }
    try {
      Engine e = engine;
      engine = null;
      if (e != null) {
        e.close();
      }
    } finally {
      user.set(null);
    }
  }

  /**
   * Immutable interpreter settings: {@code
   * Options.builder().backend(Backend.XNNPACK).threads(1).build()}. Threads -1 means TFLite's
   * default.
   */
  public static final class Options {
    private final int threads;
    private final Backend backend;
    private final Map<String, String> backendOptions;
    private final Delegate sharedDelegate;
    private final List<InterpreterListener> listeners;
    private final boolean checkInputs;
    private final boolean isolated;
    private final List<CustomOps.Registration> customOps;

    private Options(Builder b) {
      this.threads = b.threads;
      this.backend = b.backend;
      this.backendOptions = Map.copyOf(b.backendOptions);
      this.sharedDelegate = b.delegate;
      this.listeners = List.copyOf(b.listeners);
      this.checkInputs = b.checkInputs;
      this.isolated = b.isolated;
      this.customOps = List.copyOf(b.customOps);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
      return new Builder();
    }

    /** BUILTIN backend, default threads, no listeners, no input checks. */
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

    /** The registered listeners in registration order (immutable). */
    public List<InterpreterListener> listeners() {
      return listeners;
    }

    /** True when real-valued input writes reject NaN and infinities. */
    public boolean checkInputs() {
      return checkInputs;
    }

    /** True when TFLite runs in a child process (see {@link Builder#isolated(boolean)}). */
    public boolean isolated() {
      return isolated;
    }

    /** The custom op registrations in registration order (immutable). */
    List<CustomOps.Registration> customOps() {
      return customOps;
    }

    /** Builder of {@link Options}. */
    public static final class Builder {
      private int threads = -1;
      private Backend backend = Backend.BUILTIN;
      private final Map<String, String> backendOptions = new LinkedHashMap<>();
      private Delegate delegate;
      private final List<InterpreterListener> listeners = new ArrayList<>();
      private boolean checkInputs;
      private boolean isolated;
      private final List<CustomOps.Registration> customOps = new ArrayList<>();

      /** Number of CPU threads (1..64) or -1 for TFLite's default. */
      public Builder threads(int n) {
        if (n != -1 && (n < 1 || n > 64)) {
          throw new IllegalArgumentException("threads must be -1 or in [1,64], got " + n);
        }
        this.threads = n;
        return this;
      }

      public Builder backend(Backend b) {
        this.backend = Objects.requireNonNull(b, "backend");
        return this;
      }

      /** Backend-specific key/value, e.g. XNNPACK "force_fp16"="true", EdgeTPU "device"="usb". */
      public Builder backendOption(String key, String value) {
        backendOptions.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
        return this;
      }

      /**
       * Uses an existing delegate (shared between interpreters) instead of creating one for the
       * backend.
       */
      public Builder delegate(Delegate d) {
        this.delegate = d;
        this.backend = d.backend();
        return this;
      }

      /** Adds a listener for coverage and operator timings, e.g. an {@link OpProfile}. */
      public Builder listener(InterpreterListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
        return this;
      }

      /**
       * Rejects NaN and infinite values in {@link TensorView#writeReal} and float writes with an
       * exception naming the tensor and element (default off: the check reads every value once).
       */
      public Builder checkInputs(boolean on) {
        this.checkInputs = on;
        return this;
      }

      /**
       * Runs TFLite in a child JVM (same java and class path) so that a native crash in an
       * untrusted model becomes a {@link TfliteException} naming the signal and the stage instead
       * of ending this JVM. Costs a JVM start at creation and a pipe round trip per call; the model
       * is still checked here first. Not with a shared {@link #delegate(Delegate)}. Default off.
       * See docs/RUNTIME.md "Crash isolation".
       */
      public Builder isolated(boolean on) {
        this.isolated = on;
        return this;
      }

      /**
       * Registers a Java implementation for the model's CUSTOM operators whose custom code is
       * {@code name} and whose version is in [minVersion, maxVersion] (at most 64 versions), e.g.
       * {@code customOp("QAT4J_SCALE2", 1, 1, op)}. Names are unique; the op must stay usable for
       * the interpreter's lifetime. Runs on BUILTIN and on delegates (which leave custom ops to
       * TFLite's CPU path); not with {@link #isolated(boolean)}. See {@link CustomOp}.
       */
      public Builder customOp(String name, int minVersion, int maxVersion, CustomOp op) {
        customOps.add(CustomOps.registration(customOps, name, minVersion, maxVersion, op));
        return this;
      }

      public Options build() {
        return new Options(this);
      }
    }
  }
}
