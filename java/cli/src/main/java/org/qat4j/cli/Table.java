package org.qat4j.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Human output: column-aligned tables (numbers right-aligned) and "key value" blocks with rounded
 * numbers: fractions as percentages with two decimals, large values with one decimal or thousands
 * separators. The JSON output is unaffected.
 */
final class Table {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    this.header = header;
  }

  /** Adds a row; {@code cells} are already formatted (see the static helpers). */
  Table row(String... cells) {
    if (cells.length != header.length)
      throw new IllegalArgumentException(cells.length + " cells for " + header.length + " columns");
    rows.add(cells);
    return this;
  }

  void print(PrintWriter out) {
    int[] w = new int[header.length];
    boolean[] numeric = new boolean[header.length];
    for (int c = 0; c < header.length; c++) {
      w[c] = header[c].length();
      numeric[c] = !rows.isEmpty();
      for (String[] r : rows) {
        w[c] = Math.max(w[c], r[c].length());
        numeric[c] &= r[c].isEmpty() || r[c].equals("-") || Character.isDigit(r[c].charAt(0));
      }
    }
    line(out, header, w, numeric);
    for (String[] r : rows) line(out, r, w, numeric);
  }

  private static void line(PrintWriter out, String[] cells, int[] w, boolean[] numeric) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) b.append("  ");
      String pad = " ".repeat(w[c] - cells[c].length());
      b.append(numeric[c] ? pad + cells[c] : cells[c] + (c == cells.length - 1 ? "" : pad));
    }
    out.println(b.toString().stripTrailing());
  }

  /** A fraction in [0, 1] as "91.44 %" ("-" for NaN). */
  static String pct(double fraction) {
    return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
  }

  /** {@code v} with {@code decimals} decimals ("-" for NaN). */
  static String num(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  /** A count with thousands separators. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A size in bytes, KB or MB (1 KB = 1024 bytes). */
  static String bytes(long n) {
    if (n < 1024) return n + " bytes";
    if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
  }

  /** Keys whose values are fractions in [0, 1], shown as percentages. */
  static boolean isFraction(String key) {
    return key.contains("accuracy") || key.contains("fraction") || key.contains("agreement");
  }

  /**
   * One value of a result for people: fractions as percentages, other numbers rounded (4 decimals
   * below 100, 1 decimal below 100 000, whole numbers above), arrays and objects as compact JSON.
   */
  static String value(String key, JsonElement v) {
    if (v.isJsonNull()) return "-";
    if (!v.isJsonPrimitive()) return v.toString();
    if (!v.getAsJsonPrimitive().isNumber()) return v.getAsString();
    double d = v.getAsDouble();
    if (isFraction(key) && d >= 0 && d <= 1) return pct(d);
    if (d == Math.rint(d) && Math.abs(d) < 1e15) return count((long) d);
    double a = Math.abs(d);
    return num(d, a < 100 ? 4 : a < 100_000 ? 1 : 0);
  }

  /** "key value" lines, keys padded to one width, skipping {@code skip}. */
  static void keyValues(JsonObject r, Set<String> skip, PrintWriter out) {
    int w = 0;
    for (String k : r.keySet()) if (!skip.contains(k)) w = Math.max(w, k.length());
    for (Map.Entry<String, JsonElement> e : r.entrySet()) {
      if (skip.contains(e.getKey())) continue;
      String k = e.getKey();
      out.println(k + " ".repeat(w - k.length() + 2) + value(k, e.getValue()));
    }
  }
}
