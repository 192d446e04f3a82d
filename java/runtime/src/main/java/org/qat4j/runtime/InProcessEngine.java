package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.qat4j.runtime.TensorIO.Meta;
import org.qat4j.runtime.TensorView.Role;

/**
 * TFLite in this JVM through the C API: owns the native interpreter and the delegates it created;
 * closing frees the interpreter first, then delegates, then releases the model.
 */
final class InProcessEngine implements Engine {
  private final TfliteModel model;
  private final Interpreter.Options options;
  private final Pointer log;
  private final List<Delegate> delegates = new ArrayList<>();
  private final CoverageProbe probe;
  private final OpProfiler profiler;
  private final CustomOps customOps;
  private final AtomicBoolean released = new AtomicBoolean();
  private TfLiteInterpreter handle;

  InProcessEngine(TfliteModel model, Interpreter.Options options) {
    this.model = model;
    this.options = options;
    model.retain();
    this.log = Native.openLog();
    this.probe = new CoverageProbe();
    boolean timed = options.listeners().stream().anyMatch(InterpreterListener::timesOperators);
    this.profiler = timed ? new OpProfiler(options.listeners()) : null;
    try {
      this.customOps = new CustomOps(options.customOps());
      handle =
          customOps.call(
              "TfLiteInterpreterCreate",
              () ->
                  NativeInterpreter.create(
                      model, options, log, probe, profiler, customOps, delegates));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public DelegateCoverage coverage() {
    return probe.coverage(options.backend(), model.operatorCount());
  }

  @Override
  public int count(Role role) {
    return switch (role) {
      case INPUT -> TfLiteInterpreterGetInputTensorCount(handle);
      case OUTPUT -> TfLiteInterpreterGetOutputTensorCount(handle);
      case MODEL -> model.tensorCount();
    };
  }

  @Override
  public Meta meta(Role role, int index) {
    return TensorIO.meta(tensor(role, index), role.label(index));
  }

  @Override
  public void write(Role role, int index, Meta m, float[] src) {
    TensorIO.write(tensor(role, index), m, src);
  }

  @Override
  public void write(Role role, int index, Meta m, int[] src) {
    TensorIO.write(tensor(role, index), m, src);
  }

  @Override
  public void write(Role role, int index, Meta m, byte[] src) {
    TensorIO.write(tensor(role, index), m, src);
  }

  @Override
  public float[] readFloats(Role role, int index, Meta m) {
    return TensorIO.readFloats(tensor(role, index), m);
  }

  @Override
  public int[] readInts(Role role, int index, Meta m) {
    return TensorIO.readInts(tensor(role, index), m);
  }

  @Override
  public byte[] readBytes(Role role, int index, Meta m) {
    return TensorIO.readBytes(tensor(role, index), m);
  }

  @Override
  public void invoke() {
    customOps.call(
        "TfLiteInterpreterInvoke",
        () -> {
          check(TfLiteInterpreterInvoke(handle), "TfLiteInterpreterInvoke");
          return null;
        });
  }

  @Override
  public void resize(int i, int[] shape) {
    customOps.call(
        "TfLiteInterpreterResizeInputTensor",
        () -> {
          resizeNative(i, shape);
          return null;
        });
  }

  private void resizeNative(int i, int[] shape) {
    tensor(Role.INPUT, i);
    check(
        TfLiteInterpreterResizeInputTensor(handle, i, shape, shape.length),
        "TfLiteInterpreterResizeInputTensor");
    check(
        TfLiteInterpreterAllocateTensors(handle), "TfLiteInterpreterAllocateTensors after resize");
    AllocationCheck.check(
        handle, model.tensorCount(), "TfLiteInterpreterAllocateTensors after resize");
  }

  /**
   * TFLite's tensor, looked up on every access: tensor pointers may move when AllocateTensors adds
   * temporaries, so a {@link TensorView} never caches one.
   */
  private TfLiteTensor tensor(Role role, int i) {
    int n = count(role);
    if (i < 0 || i >= n) {
      throw role.outOfRange(i, n);
    }
    TfLiteTensor t =
        switch (role) {
          case INPUT -> TfLiteInterpreterGetInputTensor(handle, i);
          case OUTPUT -> TfLiteInterpreterGetOutputTensor(handle, i);
          case MODEL -> TfLiteInterpreterGetTensor(handle, i);
        };
    if (t == null || t.isNull()) {
      throw new TfliteException("get " + role.label(i), "TFLite returned NULL");
    }
    return t;
  }

  private void check(int status, String step) {
    NativeInterpreter.check(status, step, model, log);
  }

  @Override
  public void close() {
    if (handle != null) {
      TfLiteInterpreterDelete(handle);
      handle = null;
    }
    for (Delegate d : delegates) {
      d.releaseUse();
    }
    delegates.clear();
    if (customOps != null) {
      customOps.close();
    }
    if (probe != null) {
      probe.close();
    }
    if (profiler != null) {
      profiler.close();
    }
    if (released.compareAndSet(false, true)) {
      model.release();
      Native.closeLog(log);
    }
  }
}
