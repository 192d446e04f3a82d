package org.qat4j.ir.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Parallel}'s cheap hand-off: persistent daemon workers (started on first use) take the
 * chunks of one region at a time. A region is published through a volatile field; workers and the
 * caller claim chunks through an atomic counter, so the caller runs chunk 0 and then any chunk no
 * worker has taken yet. Idle workers spin briefly ({@code qat4j.parallel.spinMicros}, 10 us; on
 * {@link Thread#onSpinWait}, yielding now and then) before they park, and the caller waits for the
 * last chunk the same way. Chunks, and so results, are exactly the pool's. One region at a time: a
 * second caller (a nested call from a chunk, or another user thread) is refused and takes {@link
 * Parallel}'s pool.
 */
final class Crew {
  /**
   * How long an idle worker, and a caller waiting for the last chunk, spin before parking. Short on
   * purpose: on a loaded host a thread that spins loses the scheduler's credit for sleeping, and 50
   * us made 2-thread steps slower at load 7-12 (PERFORMANCE.md, session 10).
   */
  private static final long SPIN_NS = Long.getLong("qat4j.parallel.spinMicros", 10) * 1000;

  /** Workers that may spin: one per core beside the caller's, so spinning never takes its core. */
  private static final int SPINNERS = Runtime.getRuntime().availableProcessors() - 1;

  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile Region current;
  private Worker[] workers = new Worker[0];
  private volatile long regions;

  /**
   * Runs {@code body} over the t chunks of [0, n) with Parallel's boundaries; false (nothing run)
   * when another region holds the crew.
   */
  boolean tryRun(int n, int t, Parallel.Range body) {
    if (!busy.compareAndSet(false, true)) return false;
    Region r;
    try {
      Worker[] ws = workers(t - 1);
      r = new Region(++regions, n, t, body);
      current = r;
      for (int i = 0; i < t - 1; i++) ws[i].wake();
      r.runChunk(0);
      while (r.claim()) {
        // the caller takes chunks no worker has claimed yet
      }
      r.await();
      current = null;
    } finally {
      busy.set(false);
    }
    r.rethrow();
    return true;
  }

  /**
   * One step of a spin: mostly {@link Thread#onSpinWait}, and every 16th a yield. On a loaded host
   * the kernel may wake a worker onto the caller's core; a spin that never yields then holds that
   * core while the caller it waits for is queued behind it (seen as ~0.2 ms stalls at load 12).
   */
  private static void pause(int i) {
    if ((i & 15) == 15) Thread.yield();
    else Thread.onSpinWait();
  }

  /** Regions run through the crew so far (tests tell the crew from the pool with it). */
  long regions() {
    return regions;
  }

  /** The first {@code count} workers, started as needed (called while holding {@code busy}). */
  private Worker[] workers(int count) {
    Worker[] ws = workers;
    if (ws.length >= count) return ws;
    Worker[] grown = new Worker[count];
    System.arraycopy(ws, 0, grown, 0, ws.length);
    for (int i = ws.length; i < count; i++) grown[i] = new Worker(i);
    workers = grown;
    return grown;
  }

  /**
   * One parallel loop: chunks are claimed through {@code next}, counted down in {@code pending}.
   */
  private static final class Region {
    final long id;
    final int n;
    final int t;
    final Parallel.Range body;
    final AtomicInteger next = new AtomicInteger(1);
    final AtomicInteger pending;
    final Throwable[] errors;
    final Thread caller = Thread.currentThread();
    volatile boolean waiting;

    Region(long id, int n, int t, Parallel.Range body) {
      this.id = id;
      this.n = n;
      this.t = t;
      this.body = body;
      pending = new AtomicInteger(t);
      errors = new Throwable[t];
    }

    /** Claims and runs the next unclaimed chunk; false when none is left. */
    boolean claim() {
      int c = next.getAndIncrement();
      if (c >= t) return false;
      runChunk(c);
      return true;
    }

    void runChunk(int c) {
      try {
        body.run((int) ((long) c * n / t), (int) ((long) (c + 1) * n / t));
      } catch (Throwable e) {
        // Kept for the caller (the pending count publishes it); the worker stays alive.
        errors[c] = e;
      }
      if (pending.decrementAndGet() == 0 && waiting) LockSupport.unpark(caller);
    }

    /** Waits until every chunk has finished, interrupts or not (no chunk outlives the call). */
    void await() {
      long end = System.nanoTime() + SPIN_NS;
      for (int i = 0; pending.get() != 0 && System.nanoTime() < end; i++) pause(i);
      boolean interrupted = false;
      waiting = true;
      while (pending.get() != 0) {
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
      if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * As the pool path: the lowest failing chunk's throwable; chunk 0's as thrown, a later chunk's
     * checked exception wrapped as a Future would. Then an interrupt of the caller, as Future.get.
     */
    void rethrow() {
      for (int c = 0; c < t; c++) {
        Throwable e = errors[c];
        if (e == null) continue;
        if (c == 0) throw Parallel.sneaky(e);
        Parallel.unwrap(e);
      }
      if (Thread.currentThread().isInterrupted())
        throw new IllegalStateException(new InterruptedException("interrupted in a parallel loop"));
    }
  }

  /** A daemon thread that runs chunks of each new region, then spins and parks until the next. */
  private final class Worker implements Runnable {
    private final Thread thread;
    private final boolean spins;
    private volatile boolean sleeping;
    private long seen;

    Worker(int index) {
      spins = index < SPINNERS;
      thread = new Thread(this, "qat4j-crew-" + index);
      thread.setDaemon(true);
      thread.start();
    }

    /** Unparks the worker if it sleeps (after the caller has published the region). */
    void wake() {
      if (sleeping) LockSupport.unpark(thread);
    }

    @Override
    public void run() {
      while (true) drain(next());
    }

    /** Takes chunks until none is left; the region is not referenced once this returns. */
    private void drain(Region r) {
      while (r.claim()) {
        // each claim runs one chunk
      }
    }

    /** The next region not seen yet: spin for a while, then park until woken. */
    private Region next() {
      long end = spins ? System.nanoTime() + SPIN_NS : 0;
      for (int i = 0; ; i++) {
        Region r = fresh();
        if (r != null) return r;
        if (spins && System.nanoTime() < end) {
          pause(i);
          continue;
        }
        // Dekker with wake(): publish sleeping, then re-read current, so no wake-up is lost.
        sleeping = true;
        r = fresh();
        if (r == null) LockSupport.park(this);
        sleeping = false;
        // A stray interrupt would turn park into a busy loop; workers are not interruptible.
        Thread.interrupted();
        if (r != null) return r;
      }
    }

    private Region fresh() {
      Region r = current;
      if (r == null || r.id == seen) return null;
      seen = r.id;
      return r;
    }
  }
}
