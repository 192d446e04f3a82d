package org.qat4j.ir.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two dependent parallel loops in one {@link Parallel} hand-off: the tasks of a first phase, a
 * serial step, then the tasks of a second phase (e.g. per-channel sums, the coefficients from them,
 * then an element-wise pass). Workers claim task indices in order from one counter, so a worker
 * that starts late leaves its share to the others, and a worker only ever waits for a task another
 * worker has claimed and is running: the region finishes even when its workers run one after
 * another. The serial step runs on whichever worker ends the first phase, after every first-phase
 * task and before any second-phase task. Which worker runs a task depends on timing, so results
 * that must be deterministic are written per task index and combined in index order.
 */
public final class Phases {
  /** Spin this long at the phase boundary before blocking (tasks are tens of microseconds). */
  private static final long SPIN_NANOS = 20_000;

  /** Body of task {@code index} of a phase. */
  @FunctionalInterface
  public interface Task {
    void run(int index);
  }

  /** The serial step between the phases: false skips the second phase. */
  @FunctionalInterface
  public interface Between {
    boolean run();
  }

  private final int firstTasks;
  private final int total;
  private final Task first;
  private final Between between;
  private final Task second;
  private final AtomicInteger claimed = new AtomicInteger();
  private final AtomicInteger firstDone = new AtomicInteger();

  /** 0 while the first phase runs, 1 once the second is open, 2 when stopped (skip or failure). */
  private volatile int state;

  private Phases(int firstTasks, Task first, Between between, int secondTasks, Task second) {
    this.firstTasks = firstTasks;
    this.total = firstTasks + secondTasks;
    this.first = first;
    this.between = between;
    this.second = second;
  }

  /**
   * Runs tasks 0 … firstTasks − 1 of {@code first}, then {@code between}, then (unless it returned
   * false) tasks 0 … secondTasks − 1 of {@code second}, on at most {@code workers} threads (the
   * caller and {@link Parallel}'s workers; 1 runs everything on the caller). An exception or error
   * of any task or of the step stops the region and reaches the caller as from {@link
   * Parallel#forRange}.
   */
  public static void run(
      int workers, int firstTasks, Task first, Between between, int secondTasks, Task second) {
    if (firstTasks < 0 || secondTasks < 0)
      throw new IllegalArgumentException(
          "task counts must be >= 0, got " + firstTasks + " and " + secondTasks);
    Phases p = new Phases(firstTasks, first, between, secondTasks, second);
    if (firstTasks == 0 && !p.step()) return;
    int w = Math.min(workers, firstTasks + secondTasks);
    if (w <= 1) p.work();
    else Parallel.forRange(w, w, (lo, hi) -> p.work());
  }

  /** Runs the serial step and opens (or skips) the second phase. */
  private boolean step() {
    boolean go;
    try {
      go = between.run();
    } catch (RuntimeException | Error e) {
      open(2);
      throw e;
    }
    open(go ? 1 : 2);
    return go;
  }

  /** One worker: claims and runs tasks until none is left or the region stops. */
  private void work() {
    for (int k = claimed.getAndIncrement(); k < total; k = claimed.getAndIncrement()) {
      if (k >= firstTasks && !awaitSecond()) return;
      if (state == 2) return;
      try {
        if (k < firstTasks) first.run(k);
        else second.run(k - firstTasks);
      } catch (RuntimeException | Error e) {
        open(2);
        throw e;
      }
      if (k < firstTasks && firstDone.incrementAndGet() == firstTasks && !step()) return;
    }
  }

  /**
   * Waits until the first phase has ended (every first-phase index is claimed, so only running
   * tasks are waited for); true when the second phase is open.
   */
  private boolean awaitSecond() {
    long start = System.nanoTime();
    while (state == 0 && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
    if (state != 0) return state == 1;
    boolean interrupted = false;
    synchronized (this) {
      while (state == 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true; // the running tasks end the phase; keep the flag for the caller
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    return state == 1;
  }

  private void open(int s) {
    synchronized (this) {
      state = Math.max(state, s); // a stop is final
      notifyAll();
    }
  }
}
