package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteOpaqueDelegateStruct;
import org.qat4j.tflite.OperatorInfo;

/**
 * Creation of the native interpreter behind {@link Interpreter}: options, backend delegate, probe,
 * allocation.
 */
final class NativeInterpreter {
  /** Builtin operator names, to tell custom codes (which may be upper case too) from builtins. */
  private static final Set<String> BUILTIN_NAMES =
      IntStream.range(0, 512).mapToObj(OperatorInfo::builtinName).collect(Collectors.toSet());

  private NativeInterpreter() {}

  /**
   * Creates and allocates the interpreter. Delegates it acquires are added to {@code delegates} as
   * soon as acquired, so the caller releases them even when creation fails later.
   */
  static TfLiteInterpreter create(
      TfliteModel model,
      Interpreter.Options options,
      Pointer log,
      CoverageProbe probe,
      OpProfiler profiler,
      CustomOps customOps,
      List<Delegate> delegates) {
    TfLiteInterpreterOptions o = TfLiteInterpreterOptionsCreate();
    if (o == null || o.isNull()) {
      throw new TfliteException("TfLiteInterpreterOptionsCreate", "returned NULL");
    }
    try {
      TfLiteInterpreterOptionsSetErrorReporter(o, Native.reporter(), log);
      if (options.threads() != -1) {
        TfLiteInterpreterOptionsSetNumThreads(o, options.threads());
      }
      customOps.addTo(o);
      addBackend(o, options, delegates);
      TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(probe.delegate()));
      if (profiler != null) {
        TfLiteInterpreterOptionsSetTelemetryProfiler(o, profiler.struct());
      }
      TfLiteInterpreter it = TfLiteInterpreterCreate(model.retainedHandle(), o);
      if (it == null || it.isNull()) {
        throw new TfliteException("TfLiteInterpreterCreate", explain(Native.drainLog(log), model));
      }
      try {
        check(TfLiteInterpreterAllocateTensors(it), "TfLiteInterpreterAllocateTensors", model, log);
        AllocationCheck.check(it, model.tensorCount(), "TfLiteInterpreterAllocateTensors");
      } catch (RuntimeException e) {
        TfLiteInterpreterDelete(it);
        throw e;
      }
      return it;
    } finally {
      TfLiteInterpreterOptionsDelete(o);
    }
  }

  private static void addBackend(
      TfLiteInterpreterOptions o, Interpreter.Options options, List<Delegate> delegates) {
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

  /**
   * Throws a {@link TfliteException} naming the step and carrying TFLite's log unless {@code
   * status} is OK.
   */
  static void check(int status, String step, TfliteModel model, Pointer log) {
    if (status != kTfLiteOk) {
      throw new TfliteException(
          step, "status " + status + ": " + explain(Native.drainLog(log), model));
    }
  }

  /**
   * Leads with the model's custom op names when TFLite reports an unresolved one: a one-line cause
   * up front, and the only place the names appear when the Java fallback reporter logs bare formats
   * ({@code %s}).
   */
  private static String explain(String tfliteLog, TfliteModel model) {
    String msg = tfliteLog.isEmpty() ? "no message from TFLite" : tfliteLog;
    if (msg.contains("custom op")) {
      List<String> custom = new ArrayList<>();
      for (String op : model.operatorNames()) {
        if (!op.startsWith("BUILTIN_") && !BUILTIN_NAMES.contains(op) && !custom.contains(op)) {
          custom.add(op);
        }
      }
      msg =
          "unresolved custom op "
              + custom
              + " (no delegate or registration provides it). TFLite: "
              + msg;
    }
    return msg;
  }
}
