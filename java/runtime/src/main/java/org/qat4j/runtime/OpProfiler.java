package org.qat4j.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorflowlite.TfLiteTelemetryProfilerStruct;
import org.bytedeco.tensorflowlite.TfLiteTelemetrySettings;

/**
 * Per-operator timing for {@link InterpreterListener}s through {@code
 * TfLiteInterpreterOptionsSetTelemetryProfiler}. All six callbacks are always set (a missing one
 * crashes TFLite); they are shared static thunks dispatching on the struct's {@code data} field.
 */
final class OpProfiler implements AutoCloseable {
  private static final Map<Long, OpProfiler> LIVE = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong(1);
  private static Callbacks callbacks;

  private final long id = IDS.getAndIncrement();
  private final TfLiteTelemetryProfilerStruct struct = new TfLiteTelemetryProfilerStruct();
  private final Map<Integer, Object[]> open = new HashMap<>();
  private final List<InterpreterListener> listeners;
  private int nextHandle = 1;

  /** Forwards operator timings to those of {@code listeners} that want them. */
  OpProfiler(List<InterpreterListener> listeners) {
    this.listeners = listeners.stream().filter(InterpreterListener::timesOperators).toList();
    Native.load();
    Callbacks cb = callbacks();
    struct.data(Native.at(id));
    struct.ReportTelemetryEvent(cb.event);
    struct.ReportTelemetryOpEvent(cb.opEvent);
    struct.ReportSettings(cb.settings);
    struct.ReportBeginOpInvokeEvent(cb.begin);
    struct.ReportEndOpInvokeEvent(cb.end);
    struct.ReportOpInvokeEvent(cb.opInvoke);
    LIVE.put(id, this);
  }

  TfLiteTelemetryProfilerStruct struct() {
    return struct;
  }

  private synchronized int begin(String op) {
    int h = nextHandle++;
    if (nextHandle == Integer.MAX_VALUE) {
      nextHandle = 1;
    }
    open.put(h, new Object[] {op, System.nanoTime()});
    return h;
  }

  private void end(int handle) {
    Object[] o;
    synchronized (this) {
      o = open.remove(handle);
    }
    if (o != null) {
      report((String) o[0], System.nanoTime() - (Long) o[1]);
    }
  }

  private void report(String op, long nanos) {
    for (InterpreterListener l : listeners) {
      try {
        l.operatorTimed(op, nanos);
      } catch (RuntimeException e) {
        // dropped: the caller is TFLite's native invoke loop
      }
    }
  }

  @Override
  public void close() {
    LIVE.remove(id);
    struct.close();
  }

  private static OpProfiler of(TfLiteTelemetryProfilerStruct s) {
    return s == null || s.data() == null ? null : LIVE.get(s.data().address());
  }

  private static String str(BytePointer p) {
    return p == null || p.isNull() ? "?" : p.getString();
  }

  private static synchronized Callbacks callbacks() {
    if (callbacks == null) {
      callbacks = new Callbacks();
    }
    return callbacks;
  }

  /**
   * One instance of each callback thunk for the whole JVM (JavaCPP has few slots per callback
   * class).
   */
  private static final class Callbacks {
    final TfLiteTelemetryProfilerStruct
            .ReportTelemetryEvent_TfLiteTelemetryProfilerStruct_BytePointer_long
        event =
            new TfLiteTelemetryProfilerStruct
                .ReportTelemetryEvent_TfLiteTelemetryProfilerStruct_BytePointer_long() {
              @Override
              public void call(TfLiteTelemetryProfilerStruct s, BytePointer name, long status) {}
            };
    final TfLiteTelemetryProfilerStruct
            .ReportTelemetryOpEvent_TfLiteTelemetryProfilerStruct_BytePointer_long_long_long
        opEvent =
            new TfLiteTelemetryProfilerStruct
                .ReportTelemetryOpEvent_TfLiteTelemetryProfilerStruct_BytePointer_long_long_long() {
              @Override
              public void call(
                  TfLiteTelemetryProfilerStruct s,
                  BytePointer name,
                  long op,
                  long sub,
                  long status) {}
            };
    final TfLiteTelemetryProfilerStruct
            .ReportSettings_TfLiteTelemetryProfilerStruct_BytePointer_TfLiteTelemetrySettings
        settings =
            new TfLiteTelemetryProfilerStruct
                .ReportSettings_TfLiteTelemetryProfilerStruct_BytePointer_TfLiteTelemetrySettings() {
              @Override
              public void call(
                  TfLiteTelemetryProfilerStruct s, BytePointer name, TfLiteTelemetrySettings set) {}
            };
    final TfLiteTelemetryProfilerStruct
            .ReportBeginOpInvokeEvent_TfLiteTelemetryProfilerStruct_BytePointer_long_long
        begin =
            new TfLiteTelemetryProfilerStruct
                .ReportBeginOpInvokeEvent_TfLiteTelemetryProfilerStruct_BytePointer_long_long() {
              @Override
              public int call(
                  TfLiteTelemetryProfilerStruct s, BytePointer op, long opIdx, long sub) {
                try {
                  OpProfiler p = of(s);
                  return p == null ? 0 : p.begin(str(op));
                } catch (Throwable t) {
                  return 0;
                }
              }
            };
    final TfLiteTelemetryProfilerStruct.ReportEndOpInvokeEvent_TfLiteTelemetryProfilerStruct_int
        end =
            new TfLiteTelemetryProfilerStruct
                .ReportEndOpInvokeEvent_TfLiteTelemetryProfilerStruct_int() {
              @Override
              public void call(TfLiteTelemetryProfilerStruct s, int handle) {
                try {
                  OpProfiler p = of(s);
                  if (p != null) {
                    p.end(handle);
                  }
                } catch (Throwable t) {
                  // never throw into native code
                }
              }
            };
    final TfLiteTelemetryProfilerStruct
            .ReportOpInvokeEvent_TfLiteTelemetryProfilerStruct_BytePointer_long_long_long
        opInvoke =
            new TfLiteTelemetryProfilerStruct
                .ReportOpInvokeEvent_TfLiteTelemetryProfilerStruct_BytePointer_long_long_long() {
              @Override
              public void call(
                  TfLiteTelemetryProfilerStruct s,
                  BytePointer op,
                  long elapsedUs,
                  long opIdx,
                  long sub) {
                try {
                  OpProfiler p = of(s);
                  if (p != null) {
                    p.report(str(op), elapsedUs * 1000);
                  }
                } catch (Throwable t) {
                  // never throw into native code
                }
              }
            };
  }
}
