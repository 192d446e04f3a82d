package org.qat4j.runtime;

/**
 * Receives an interpreter's events; cross-cutting features (delegate coverage, per-operator timing,
 * metrics) attach here instead of being interpreter methods. Register through {@link
 * Interpreter.Options.Builder#listener}. Events arrive on the thread that caused them (creation,
 * {@code resizeInput}, {@code invoke}); an exception thrown from an operator event is dropped (it
 * would otherwise unwind through TFLite's native frames).
 *
 * <pre>{@code
 * DelegateCoverage.Latest coverage = new DelegateCoverage.Latest();
 * OpProfile profile = new OpProfile();
 * try (Interpreter it = Interpreter.create(model, Interpreter.Options.builder()
 *     .backend(Backend.XNNPACK).listener(coverage).listener(profile).build())) {
 *   it.invoke();
 *   System.out.println(coverage.get().summary() + " " + profile.table());
 * }
 * }</pre>
 */
public interface InterpreterListener {
  /** Which operators the backend took, after creation and again after every {@code resizeInput}. */
  default void coverage(DelegateCoverage coverage) {}

  /**
   * True to install TFLite's telemetry profiler so that {@link #operatorTimed} is called (it costs
   * a little time per operator, so only listeners that want timings ask for it).
   */
  default boolean timesOperators() {
    return false;
  }

  /**
   * One operator (or a delegate-internal operator, e.g. XNNPACK's) ran for {@code nanos}
   * nanoseconds of wall time.
   */
  default void operatorTimed(String op, long nanos) {}
}
