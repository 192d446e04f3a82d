package org.qat4j.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-operator-type timing table, an {@link InterpreterListener}: counts and total wall time per
 * operator name since registration or {@link #reset()}. One profile may serve several interpreters
 * (it is synchronized).
 *
 * <pre>{@code
 * OpProfile profile = new OpProfile();
 * Interpreter it = Interpreter.create(model, Interpreter.Options.builder().listener(profile).build());
 * it.invoke();
 * for (OpStats s : profile.table()) System.out.println(s.name() + " " + s.avgMs() + " ms");
 * }</pre>
 */
public final class OpProfile implements InterpreterListener {
  private final Map<String, long[]> stats = new HashMap<>();

  @Override
  public boolean timesOperators() {
    return true;
  }

  @Override
  public synchronized void operatorTimed(String op, long nanos) {
    long[] s = stats.computeIfAbsent(op, k -> new long[2]);
    s[0]++;
    s[1] += nanos;
  }

  /** The table sorted by total time, descending (a copy). */
  public synchronized List<OpStats> table() {
    List<OpStats> out = new ArrayList<>();
    stats.forEach((k, v) -> out.add(new OpStats(k, v[0], v[1] / 1e6)));
    out.sort(Comparator.comparingDouble(OpStats::totalMs).reversed());
    return out;
  }

  /** Forgets all timings, e.g. after warm-up runs. */
  public synchronized void reset() {
    stats.clear();
  }
}
