package org.qat4j.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long loop on stderr: an animated bar when stderr is a terminal, otherwise a plain
 * line at most every few seconds (and at the end), so CI logs stay readable.
 */
abstract class Progress implements AutoCloseable {
  /** Advances by {@code n} units. */
  abstract void step(long n);

  /** Replaces the trailing status text (e.g. "loss 0.41 acc 0.86"). */
  abstract void status(String text);

  @Override
  public abstract void close();

  static Progress create(PrintWriter err, String task, long total, String unit) {
    if (err == null) return new Silent();
    if (isTerminal()) return new Bar(task, total, unit);
    return new Lines(err, task, total, unit, 5_000L);
  }

  /** Terminal width from the launcher (-Dqat4j.columns, from tput), else $COLUMNS, else 100. */
  static int columns() {
    for (String v : new String[] {System.getProperty("qat4j.columns"), System.getenv("COLUMNS")}) {
      try {
        if (v != null && Integer.parseInt(v.trim()) >= 40) return Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        // fall through to the next source
      }
    }
    return 100;
  }

  /**
   * The launcher passes -Dqat4j.tty=1 when stderr is a terminal; without it, fall back to
   * System.console().
   */
  static boolean isTerminal() {
    String p = System.getProperty("qat4j.tty");
    if (p != null) return p.equals("1") || p.equalsIgnoreCase("true");
    return System.console() != null;
  }

  static final class Silent extends Progress {
    @Override
    void step(long n) {}

    @Override
    void status(String text) {}

    @Override
    public void close() {}
  }

  static final class Bar extends Progress {
    private final ProgressBar bar;

    Bar(String task, long total, String unit) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(total)
              .setUnit(" " + unit, 1)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .setConsumer(new ConsoleProgressBarConsumer(System.err, columns()))
              .build();
    }

    @Override
    void step(long n) {
      bar.stepBy(n);
    }

    @Override
    void status(String text) {
      bar.setExtraMessage(" " + text);
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /** Plain periodic lines for logs. */
  static final class Lines extends Progress {
    private final PrintWriter err;
    private final String task;
    private final long total;
    private final String unit;
    private final long intervalMs;
    private final long start = System.nanoTime();
    private long done;
    private long lastPrint = System.nanoTime();
    private long printedAt = -1;
    private String status = "";

    Lines(PrintWriter err, String task, long total, String unit, long intervalMs) {
      this.err = err;
      this.task = task;
      this.total = total;
      this.unit = unit;
      this.intervalMs = intervalMs;
    }

    @Override
    void step(long n) {
      done += n;
      long now = System.nanoTime();
      if ((now - lastPrint) / 1_000_000L >= intervalMs) {
        lastPrint = now;
        print();
      }
    }

    @Override
    void status(String text) {
      status = text;
    }

    @Override
    public void close() {
      if (printedAt != done) print();
    }

    private void print() {
      printedAt = done;
      double secs = (System.nanoTime() - start) / 1e9;
      String pct = total > 0 ? String.format(" (%d%%)", Math.round(100.0 * done / total)) : "";
      String rate = secs > 0 ? String.format(", %.1f %s/s", done / secs, unit) : "";
      err.println(
          String.format(
              "%s: %d/%d %s%s%s, %.1f s%s",
              task, done, total, unit, pct, rate, secs, status.isEmpty() ? "" : ", " + status));
      err.flush();
    }
  }
}
