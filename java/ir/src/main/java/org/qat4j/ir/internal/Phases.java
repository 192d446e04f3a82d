package org.qat4j.ir.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Two dependent parallel loops in one {@link Parallel} hand-off: the tasks of a first phase, a
 * serial step, then the tasks of a second phase (e.g. per-channel sums, the coefficients from them,
 * then an element-wise pass). Workers claim task indices from shared counters, so a worker that
 * starts late leaves its share to the others, and a worker only ever waits for a task another
 * worker has claimed and is running: the region finishes even when its workers run one after
 * another. The second phase's tasks form one home block per first-phase task (in index order): a
 * worker starts on the block of the first-phase task it ran last, whose data is in its caches. The
 * serial step runs on whichever worker ends the first phase, after every first-phase task and
 * before any second-phase task. Which worker runs a task depends on timing, so results that must be
 * deterministic are written per task index and combined in index order.
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
  private final int secondTasks;
  private final Task first;
  private final Between between;
  private final Task second;
  private final AtomicInteger claimed = new AtomicInteger();
  private final AtomicInteger firstDone = new AtomicInteger();

  /** Second-phase tasks claimed per home block (block j follows first-phase task j's data). */
  private final AtomicIntegerArray cursor;

  /** 0 while the first phase runs, 1 once the second is open, 2 when stopped (skip or failure). */
  private volatile int state;

  private Phases(int firstTasks, Task first, Between between, int secondTasks, Task second) {
    this.firstTasks = firstTasks;
    this.secondTasks = secondTasks;
    this.cursor = new AtomicIntegerArray(Math.max(1, firstTasks));
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

  /**
   * One worker: claims and runs first-phase tasks until none is left, then second-phase tasks:
   * first from the home block of the last first-phase task it ran (its data is still in this core's
   * caches), then from the other blocks in turn.
   */
  private void work() {
    int home = 0;
    for (int k = claimed.getAndIncrement(); k < firstTasks; k = claimed.getAndIncrement()) {
      if (state == 2) return;
      run(first, k);
      home = k;
      if (firstDone.incrementAndGet() == firstTasks && !step()) return;
    }
    if (secondTasks == 0 || !awaitSecond()) return;
    int blocks = cursor.length();
    for (int b = 0; b < blocks; b++) {
      int j = (home + b) % blocks, lo = start(j), hi = start(j + 1);
      for (int t = lo + cursor.getAndIncrement(j); t < hi; t = lo + cursor.getAndIncrement(j)) {
        if (state == 2) return;
        run(second, t);
      }
    }
  }

  /** First second-phase task of home block j. */
  private int start(int j) {
    return (int) ((long) j * secondTasks / cursor.length());
  }

  private void run(Task task, int k) {
    try {
      task.run(k);
    } catch (RuntimeException | Error e) {
      open(2);
      throw e;
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
