package org.qat4j.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorflowlite.TfLiteContext;
import org.bytedeco.tensorflowlite.TfLiteDelegate;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteRegistration;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * A do-nothing delegate applied last: its Prepare callback reads the final execution plan (node
 * registrations) so the runtime can tell delegate kernels from operators left on CPU. It claims no
 * nodes.
 */
final class CoverageProbe implements AutoCloseable {
  private static final int BUILTIN_DELEGATE = tensorflowlite.kTfLiteBuiltinDelegate;
  private static final Map<Long, CoverageProbe> LIVE = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong(1);
  private static TfLiteDelegate.Prepare_TfLiteContext_TfLiteDelegate prepare;

  private final long id = IDS.getAndIncrement();
  private final TfLiteDelegate delegate;
  private volatile List<String> plan = List.of();
  private volatile String error;

  CoverageProbe() {
    Native.load();
    synchronized (CoverageProbe.class) {
      if (prepare == null) {
        prepare =
            new TfLiteDelegate.Prepare_TfLiteContext_TfLiteDelegate() {
              @Override
              public int call(TfLiteContext context, TfLiteDelegate d) {
                return onPrepare(context, d);
              }
            };
      }
    }
    delegate = tensorflowlite.TfLiteDelegateCreate();
    delegate.data_(Native.at(id));
    delegate.Prepare(prepare);
    delegate.flags(tensorflowlite.kTfLiteDelegateFlagsAllowDynamicTensors);
    LIVE.put(id, this);
  }

  TfLiteDelegate delegate() {
    return delegate;
  }

  private static int onPrepare(TfLiteContext context, TfLiteDelegate d) {
    try {
      CoverageProbe probe = d == null || d.data_() == null ? null : LIVE.get(d.data_().address());
      if (probe != null) {
        probe.readPlan(context);
      }
    } catch (Throwable t) {
      // never throw into native code; coverage then reports the failure
    }
    return tensorflowlite.kTfLiteOk;
  }

  private void readPlan(TfLiteContext context) {
    try (PointerPointer<TfLiteIntArray> planOut = new PointerPointer<>(1);
        PointerPointer<?> nodeOut = new PointerPointer<>(1);
        PointerPointer<TfLiteRegistration> regOut = new PointerPointer<>(1)) {
      if (context.GetExecutionPlan().call(context, planOut) != tensorflowlite.kTfLiteOk) {
        error = "GetExecutionPlan failed";
        return;
      }
      TfLiteIntArray ids = planOut.get(TfLiteIntArray.class, 0);
      List<String> names = new ArrayList<>();
      for (int i = 0; ids != null && i < ids.size(); i++) {
        if (context.GetNodeAndRegistration().call(context, ids.data(i), nodeOut, regOut)
            != tensorflowlite.kTfLiteOk) {
          error = "GetNodeAndRegistration failed for node " + ids.data(i);
          return;
        }
        TfLiteRegistration reg = regOut.get(TfLiteRegistration.class, 0);
        names.add(name(reg));
      }
      plan = List.copyOf(names);
      error = null;
    }
  }

  private static String name(TfLiteRegistration reg) {
    if (reg == null || reg.isNull()) {
      return "?";
    }
    String custom =
        reg.custom_name() == null || reg.custom_name().isNull()
            ? null
            : reg.custom_name().getString();
    if (reg.builtin_code() == BUILTIN_DELEGATE) {
      return "DELEGATE:" + (custom == null ? "?" : custom);
    }
    if (custom != null) {
      return custom;
    }
    return org.qat4j.tflite.OperatorInfo.builtinName(reg.builtin_code());
  }

  /** Coverage from the last plan seen; {@code modelOps} is the model's operator count. */
  DelegateCoverage coverage(Backend backend, int modelOps) {
    if (error != null) {
      throw new TfliteException("delegate coverage", error);
    }
    int delegateNodes = 0;
    List<String> kernels = new ArrayList<>();
    Map<String, Integer> cpu = new TreeMap<>();
    for (String n : plan) {
      if (n.startsWith("DELEGATE:")) {
        delegateNodes++;
        kernels.add(n.substring(9));
      } else {
        cpu.merge(n, 1, Integer::sum);
      }
    }
    int cpuOps = plan.size() - delegateNodes;
    int delegated = delegateNodes == 0 ? 0 : Math.max(0, modelOps - cpuOps);
    return new DelegateCoverage(backend, modelOps, delegateNodes, delegated, cpuOps, cpu, kernels);
  }

  @Override
  public void close() {
    LIVE.remove(id);
    delegate.close();
  }
}
