package org.qat4j.core.train;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Param;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.Phases;
import org.qat4j.ir.internal.VectorApi;

/**
 * Updates trainable parameters from their gradients. Per-parameter state ("slots", e.g. Adam
 * moments) is keyed "layer/param#slot" and held on the heap, so it can be checkpointed and restored
 * exactly; the learning rate comes from an {@link LrSchedule} at the update count.
 */
public abstract class Optimizer {
  /** Fewer elements than this per chunk run inline: a hand-off costs more than Adam on them. */
  private static final int MIN_CHUNK = 1 << 15;

  /** Elements per update task (workers claim tasks, so a late worker claims fewer). */
  private static final int TASK = 1 << 15;

  /** Elements per block of an update pass (value, gradient and slots stay in L1/L2). */
  private static final int BLOCK = 4096;

  private final LrSchedule schedule;
  private final Map<String, float[]> slots = new LinkedHashMap<>();
  private final Map<String, float[][]> scratch = new HashMap<>();

  /**
   * Byte views of each trainable parameter's value and gradient storage, kept while its key names
   * the same parameter (whose tensors are final): making a view is a JNI call (about 0.2 us).
   */
  private final Map<String, Views> views = new HashMap<>();

  private long iterations;

  protected Optimizer(LrSchedule schedule) {
    if (schedule == null)
      throw new IllegalArgumentException("optimizer needs a learning-rate schedule");
    this.schedule = schedule;
  }

  /** Registry type, e.g. "Adam". */
  public abstract String type();

  /** Hyper-parameters (schedule included) as JSON, read back by {@link #fromConfig}. */
  public abstract JsonObject config();

  /**
   * Updates elements [lo, hi) of one parameter of n values in place: {@code w} holds its values and
   * {@code g} its gradient (both length n, valid in [lo, hi); g may be modified); {@code t} is the
   * 1-based update number. Element-wise, so disjoint ranges may run on different threads.
   */
  protected abstract void update(
      String key, float[] w, float[] g, int lo, int hi, int n, double lr, long t);

  /** Creates the slots {@link #update} will read for a parameter of n values (called serially). */
  protected void prepare(String key, int n) {}

  /**
   * Updates elements [lo, hi) of a parameter of n values in its own storage, with the result of
   * {@link #update}, and returns true; or returns false (the default), and the caller runs {@link
   * #update} on heap copies. {@code w} and {@code g} are byte views (native order, shared) of its
   * value and gradient; the gradient must not change.
   */
  protected boolean updateInPlace(
      String key, ByteBuffer w, ByteBuffer g, int n, int lo, int hi, double lr, long t) {
    return false;
  }

  public final LrSchedule schedule() {
    return schedule;
  }

  /** Number of completed {@link #step} calls. */
  public final long iterations() {
    return iterations;
  }

  /** Learning rate the next {@link #step} will use. */
  public final double currentLr() {
    return schedule.at(iterations);
  }

  /**
   * Applies one update to every trainable parameter of {@code params} (keyed "layer/param"). The
   * parameters' elements are laid end to end and split into tasks that {@link Phases} workers
   * claim; the update is element-wise, so the result does not depend on the split.
   */
  public final void step(Map<String, Param> params) {
    run(layout(params), null);
  }

  /**
   * As {@link #step}, but first checks every trainable gradient: returns the key of the first
   * parameter (in map order) with a NaN or infinite gradient and changes nothing, or null after the
   * update. The check and the update run in one parallel region (its two phases).
   */
  public final String stepIfFinite(Map<String, Param> params) {
    Layout l = layout(params);
    boolean[] bad = new boolean[l.keys.length];
    if (run(l, bad)) return null;
    for (int i = 0; i < bad.length; i++) if (bad[i]) return l.keys[i];
    throw new IllegalStateException("update skipped without a non-finite gradient");
  }

  /**
   * Checks the gradients unless {@code bad} is null (flags per parameter), then, when all are
   * finite, updates every parameter in the layout: in place where {@link #updateInPlace} can,
   * otherwise in blocks of {@link #BLOCK} elements, each copied to the heap, updated and written
   * back while in cache. Returns whether it updated.
   */
  private boolean run(Layout l, boolean[] bad) {
    double lr = schedule.at(iterations);
    long t = iterations + 1;
    int tasks = l.tasks();
    boolean[] done = {false};
    int workers = l.workers(), total = l.start[l.keys.length];
    // One check chunk per worker: its update tasks start where it read the gradient (in cache).
    // Finer check tasks (session 11) balanced Adam's region but mixed which core last touched each
    // parameter from step to step: dense1's backward then took 0.14 ms longer at 2 threads.
    Phases.run(
        workers,
        bad == null ? 0 : workers,
        c ->
            l.forElements(
                (int) ((long) c * total / workers),
                (int) ((long) (c + 1) * total / workers),
                (i, lo, hi) -> {
                  if (!finite(l, i, lo, hi)) bad[i] = true; // only set: tasks may share i
                }),
        () -> {
          if (bad != null) for (boolean b : bad) if (b) return false;
          for (int i = 0; i < l.keys.length; i++) prepare(l.keys[i], l.size(i));
          return done[0] = true;
        },
        tasks,
        k -> l.forTask(k, (i, lo, hi) -> updateSlice(l, i, lo, hi, lr, t)));
    if (done[0]) iterations++;
    return done[0];
  }

  /** Updates elements [lo, hi) of the layout's parameter i. */
  private void updateSlice(Layout l, int i, int lo, int hi, double lr, long t) {
    String key = l.keys[i];
    int n = l.size(i);
    if (updateInPlace(key, l.views[i].value, l.views[i].grad, n, lo, hi, lr, t)) return;
    Param p = l.views[i].param;
    float[][] s = scratch.get(key);
    for (int a = lo; a < hi; a += BLOCK) {
      int b = Math.min(hi, a + BLOCK);
      p.value().buffer().get(a, s[0], a, b - a);
      p.grad().buffer().get(a, s[1], a, b - a);
      update(key, s[0], s[1], a, b, n, lr, t);
      p.value().buffer().put(a, s[0], a, b - a);
    }
  }

  private Layout layout(Map<String, Param> params) {
    List<String> keys = new ArrayList<>();
    List<Views> live = new ArrayList<>();
    for (Map.Entry<String, Param> e : params.entrySet()) {
      Param p = e.getValue();
      if (!p.trainable()) continue;
      Views v = views.get(e.getKey());
      if (v == null || v.param != p)
        views.put(e.getKey(), v = new Views(p, p.value().bytes(), p.grad().bytes()));
      keys.add(e.getKey());
      live.add(v);
    }
    int[] start = new int[live.size() + 1];
    for (int i = 0; i < live.size(); i++) {
      int n = live.get(i).param.value().size();
      start[i + 1] = start[i] + n;
      float[][] s = scratch.get(keys.get(i));
      if (s == null || s[0].length != n)
        scratch.put(keys.get(i), new float[][] {new float[n], new float[n]});
    }
    return new Layout(keys.toArray(new String[0]), live.toArray(new Views[0]), start);
  }

  /** Whether the gradient elements [lo, hi) of the layout's parameter i are all finite. */
  private static boolean finite(Layout l, int i, int lo, int hi) {
    if (VectorApi.on()) return OptimizerVector.finite(l.views[i].grad, lo, hi);
    float[] g = new float[Math.min(BLOCK, hi - lo)];
    // Four independent sums stay 0 unless an element is NaN or infinite (0·Inf = NaN).
    float z0 = 0f, z1 = 0f, z2 = 0f, z3 = 0f;
    for (int a = lo; a < hi; a += BLOCK) {
      int len = Math.min(BLOCK, hi - a), k = 0;
      l.views[i].param.grad().buffer().get(a, g, 0, len);
      for (; k + 3 < len; k += 4) {
        z0 += g[k] * 0f;
        z1 += g[k + 1] * 0f;
        z2 += g[k + 2] * 0f;
        z3 += g[k + 3] * 0f;
      }
      for (; k < len; k++) z0 += g[k] * 0f;
    }
    return Float.isFinite(z0 + z1 + z2 + z3);
  }

  /** A body over the elements [lo, hi) of the parameter at {@code index} of the layout. */
  @FunctionalInterface
  private interface Slice {
    void run(int index, int lo, int hi);
  }

  /** A trainable parameter and byte views of its value and gradient storage. */
  private record Views(Param param, ByteBuffer value, ByteBuffer grad) {}

  /** The trainable parameters (keys, views) and their element offsets when laid end to end. */
  private record Layout(String[] keys, Views[] views, int[] start) {
    int size(int i) {
      return start[i + 1] - start[i];
    }

    int tasks() {
      return (start[keys.length] + TASK - 1) / TASK;
    }

    /** Workers for the region: none extra when the step is too small to pay a hand-off. */
    int workers() {
      int total = start[keys.length];
      return Parallel.grain(total, total, MIN_CHUNK);
    }

    /** Runs {@code body} on the parts of each parameter in task k's elements. */
    void forTask(int k, Slice body) {
      forElements(k * TASK, Math.min(start[keys.length], (k + 1) * TASK), body);
    }

    /** Runs {@code body} on the parts of each parameter in elements [lo, hi) of the layout. */
    void forElements(int lo, int hi, Slice body) {
      for (int i = 0; i < keys.length; i++) {
        int a = Math.max(lo, start[i]) - start[i], b = Math.min(hi, start[i + 1]) - start[i];
        if (a < b) body.run(i, a, b);
      }
    }
  }

  /** The slot array {@code key#name} of length n, created zero-filled on first use. */
  protected final float[] slot(String key, String name, int n) {
    float[] s = slots.computeIfAbsent(key + "#" + name, k -> new float[n]);
    if (s.length != n)
      throw new IllegalStateException(
          "optimizer slot " + key + "#" + name + " has " + s.length + " values, param has " + n);
    return s;
  }

  /** Live view of the optimizer state, for checkpoints. */
  public final Map<String, float[]> slots() {
    return Collections.unmodifiableMap(slots);
  }

  /** Replaces the state with copies of {@code state} and the update count (checkpoint restore). */
  public final void restore(Map<String, float[]> state, long iterations) {
    if (iterations < 0)
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    slots.clear();
    state.forEach((k, v) -> slots.put(k, v.clone()));
    this.iterations = iterations;
  }

  /** Rebuilds an optimizer (without state) from {@link #config()}. */
  public static Optimizer fromConfig(JsonObject c) {
    String type = c.has("type") ? c.get("type").getAsString() : "";
    LrSchedule s = LrSchedule.fromJson(c.getAsJsonObject("schedule"));
    return switch (type) {
      case "SGD" ->
          new Sgd(
              s,
              c.get("momentum").getAsDouble(),
              c.get("nesterov").getAsBoolean(),
              c.get("weight_decay").getAsDouble());
      case "Adam" ->
          new Adam(
              s,
              c.get("beta1").getAsDouble(),
              c.get("beta2").getAsDouble(),
              c.get("epsilon").getAsDouble(),
              c.get("weight_decay").getAsDouble());
      case "AdamW" ->
          new AdamW(
              s,
              c.get("beta1").getAsDouble(),
              c.get("beta2").getAsDouble(),
              c.get("epsilon").getAsDouble(),
              c.get("weight_decay").getAsDouble());
      default -> throw new IllegalArgumentException("unknown optimizer type '" + type + "'");
    };
  }

  protected final JsonObject baseConfig() {
    JsonObject o = new JsonObject();
    o.addProperty("type", type());
    o.add("schedule", schedule.toJson());
    return o;
  }

  static void checkNonNegative(String what, double v) {
    if (!(v >= 0) || Double.isInfinite(v))
      throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
  }

  static void checkUnit(String what, double v) {
    if (!(v >= 0 && v < 1))
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + v);
  }
}
