package org.qat4j.core.data;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A comma-separated table of numbers for tabular or 1-D models: one sample per line, every column a
 * feature except the optional label column (integer class ids). The first line is a header when all
 * its cells are non-numeric. An inputs-only read drops the label column unparsed. Blank lines are
 * skipped; ragged rows, non-numeric or non-finite cells are refused with the line and column.
 */
final class CsvData {
  private CsvData() {}

  static Dataset load(Path file, DataSpec spec) throws IOException {
    List<String> lines = readLines(file);
    int first = 0;
    while (first < lines.size() && lines.get(first).isBlank()) first++;
    if (first == lines.size()) throw new IOException(file + ": empty CSV (no rows)");
    String[] head = split(lines.get(first));
    boolean header = Arrays.stream(head).noneMatch(CsvData::numeric);
    int cols = head.length;
    int labelCol = labelColumn(file, spec, header ? head : null, cols);
    int features = cols - (labelCol >= 0 ? 1 : 0);
    if (features == 0)
      throw new IOException(file + ": the only column is the label column; no input features left");
    float[] x = new float[(lines.size() - first) * features];
    int[] y = new int[lines.size() - first];
    int n = 0;
    for (int li = header ? first + 1 : first; li < lines.size(); li++) {
      if (lines.get(li).isBlank()) continue;
      String[] cells = split(lines.get(li));
      if (cells.length != cols)
        throw new IOException(
            file + ": line " + (li + 1) + ": " + cells.length + " columns, expected " + cols);
      int f = 0;
      for (int c = 0; c < cols; c++) {
        if (c != labelCol) {
          x[n * features + f++] = (float) number(file, li, c, cells[c]);
        } else if (spec.labels()) {
          y[n] = label(file, li, c, cells[c], number(file, li, c, cells[c]));
        }
      }
      n++;
    }
    if (n == 0) throw new IOException(file + ": CSV has a header but no data rows");
    float[] data = Arrays.copyOf(x, n * features);
    if (labelCol < 0 || !spec.labels()) return Dataset.unlabelled(data, new int[] {features});
    int[] labels = Arrays.copyOf(y, n);
    return new Dataset(
        data, labels, new int[] {features}, Arrays.stream(labels).max().orElse(0) + 1);
  }

  private static List<String> readLines(Path file) throws IOException {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new IOException(file + ": not a text CSV file (invalid UTF-8)", e);
    }
  }

  /** The label column index, or -1; required (and checked) when labels are needed. */
  private static int labelColumn(Path file, DataSpec spec, String[] header, int cols)
      throws IOException {
    String want = spec.labelColumn();
    if (want == null) {
      if (spec.labels())
        throw new IOException(
            file + ": labelled data from a CSV needs a label column (--label-column NAME|INDEX)");
      return -1;
    }
    int idx = -1;
    if (header != null) idx = Arrays.asList(header).indexOf(want);
    if (idx < 0) {
      try {
        idx = Integer.parseInt(want);
      } catch (NumberFormatException e) {
        throw new IOException(
            file
                + ": no label column '"
                + want
                + "'"
                + (header == null
                    ? " (the file has no header row)"
                    : " in header " + Arrays.toString(header)));
      }
    }
    if (idx < 0 || idx >= cols)
      throw new IOException(file + ": label column " + idx + " outside the " + cols + " columns");
    return idx;
  }

  private static String[] split(String line) {
    String[] c = line.split(",", -1);
    for (int i = 0; i < c.length; i++) c[i] = c[i].strip();
    return c;
  }

  private static boolean numeric(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static double number(Path file, int line, int col, String cell) throws IOException {
    double v;
    try {
      v = Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      throw new IOException(
          file
              + ": line "
              + (line + 1)
              + ", column "
              + (col + 1)
              + ": '"
              + cell
              + "' is not a number");
    }
    if (!Double.isFinite(v))
      throw new IOException(
          file
              + ": line "
              + (line + 1)
              + ", column "
              + (col + 1)
              + ": '"
              + cell
              + "' is not a finite number");
    return v;
  }

  private static int label(Path file, int line, int col, String cell, double v) throws IOException {
    if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
      throw new IOException(
          file
              + ": line "
              + (line + 1)
              + ", column "
              + (col + 1)
              + ": label '"
              + cell
              + "' is not an integer class id >= 0");
    }
    return (int) v;
  }
}
