package org.qat4j.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * How far apart the two threads of a 2-thread training step run: the round trip of a cache line
 * between the caller and one other thread (ns), and the time for the caller to read 2 MB that the
 * other thread has just written, against 2 MB it wrote itself (µs). On a virtual machine the host
 * may place the two vCPUs close (on an AMD Zen 2 host: round trips of 60-250 ns, both reads alike)
 * or apart (300-1,500 ns, the other thread's data 5× slower), and move them within seconds; print
 * this before and after a 2-thread figure as a hint of its placement. Usage: {@code CorePair
 * [--samples=3] [--trips=20000]}; one line per sample.
 */
public final class CorePair {
  private static final int FLOATS = 1 << 19;

  private final float[] data = new float[FLOATS];
  private volatile long ping;
  private volatile long pong;

  /** The other thread's command: 0 idle, 1 write {@link #data}, 2 answer trips, 3 stop. */
  private volatile int command;

  private volatile int done;
  private final int trips;

  /** Sums of the timed reads, kept so that the JIT cannot drop the reads. */
  private float sink;

  private CorePair(int trips) {
    this.trips = trips;
  }

  public static void main(String[] args) throws InterruptedException {
    Args a = new Args(args);
    print(a.integer("samples", 3), a.integer("trips", 20_000), System.out);
  }

  /** Prints {@code samples} lines of {@code trips} round trips each to {@code out}. */
  static void print(int samples, int trips, PrintStream out) throws InterruptedException {
    if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
    if (trips < 1) throw new IllegalArgumentException("--trips must be >= 1, got " + trips);
    new CorePair(trips).run(samples, out);
  }

  private void run(int samples, PrintStream out) throws InterruptedException {
    Thread other = new Thread(this::serve, "qat4j-corepair");
    other.setDaemon(true);
    other.start();
    try {
      for (int s = 0; s < samples; s++) {
        double rtt = roundTrip();
        double[] reads = reads();
        out.printf(
            Locale.ROOT,
            "round trip %.0f ns; read 2 MB written by the other thread %.0f us, by this one %.0f us%n",
            rtt,
            reads[0],
            reads[1]);
      }
    } finally {
      order(3);
      other.join(10_000);
    }
  }

  /** The mean of {@link #trips} round trips, in ns. */
  private double roundTrip() {
    ping = 0;
    pong = 0;
    order(2);
    long t0 = System.nanoTime();
    for (long i = 1; i <= trips; i++) {
      ping = i;
      while (pong != i) Thread.onSpinWait();
    }
    double ns = (System.nanoTime() - t0) / (double) trips;
    awaitDone();
    return ns;
  }

  /** {other thread's data, own data}: the best of 10 reads each, in µs. */
  private double[] reads() {
    double cross = Double.MAX_VALUE, own = Double.MAX_VALUE;
    for (int r = 0; r < 10; r++) {
      order(1);
      awaitDone();
      cross = Math.min(cross, timedRead());
      for (int i = 0; i < FLOATS; i++) data[i] = r;
      own = Math.min(own, timedRead());
    }
    return new double[] {cross, own};
  }

  private double timedRead() {
    long t0 = System.nanoTime();
    float s = 0;
    for (int i = 0; i < FLOATS; i += 16) s += data[i]; // one float per 64-byte line
    sink += s;
    return (System.nanoTime() - t0) / 1e3;
  }

  private void order(int c) {
    done = 0;
    command = c;
  }

  private void awaitDone() {
    while (done == 0) Thread.onSpinWait();
  }

  /** The other thread: runs each command once, then reports it done. */
  private void serve() {
    while (true) {
      int c = command;
      if (c == 0) {
        Thread.onSpinWait();
        continue;
      }
      command = 0;
      if (c == 3) return;
      if (c == 1) for (int i = 0; i < FLOATS; i++) data[i] = i;
      else for (long i = 1; i <= trips; i++) answer(i);
      done = 1;
    }
  }

  private void answer(long i) {
    while (ping != i) Thread.onSpinWait();
    pong = i;
  }
}
