package org.qat4j.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flat image folder labelled by a CSV ({@code labels.csv}: {@code file,label} per line, optional
 * header {@code file,label}); labels are integer class ids, or class names numbered in sorted
 * order. Every image in the folder must be listed and every listed file must exist and decode.
 */
final class ImageList {
  static final String LABELS = "labels.csv";

  private ImageList() {}

  static Dataset load(Path dir, ImageFolder images, boolean needLabels) throws IOException {
    Path csv = dir.resolve(LABELS);
    List<String[]> rows = rows(csv);
    List<Path> present = ImageFolder.imagesIn(dir);
    if (present.isEmpty())
      throw new IOException(dir + ": no PNG/JPEG/BMP images next to " + LABELS);
    if (present.size() != rows.size()) {
      throw new IOException(
          csv + ": lists " + rows.size() + " images, the folder holds " + present.size());
    }
    Map<String, Integer> classes = classes(rows);
    int[] shape = images.sampleShape();
    int per = shape[0] * shape[1] * shape[2];
    float[] data = new float[rows.size() * per];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      Path f = dir.resolve(rows.get(i)[0]).normalize();
      if (!f.startsWith(dir.normalize()) || !Files.isRegularFile(f)) {
        throw new IOException(
            csv
                + ": line "
                + (i + 1 + headerLines(csv))
                + ": no image file '"
                + rows.get(i)[0]
                + "' in "
                + dir);
      }
      System.arraycopy(images.toSample(ImageFolder.read(f)), 0, data, i * per, per);
      labels[i] = classes.get(rows.get(i)[1]);
    }
    if (!needLabels) return Dataset.unlabelled(data, shape);
    Dataset d =
        new Dataset(
            data,
            labels,
            shape,
            classes.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
    boolean named = rows.stream().anyMatch(r -> !r[1].matches("\\d{1,9}"));
    return named ? d.withClassNames(new ArrayList<>(classes.keySet())) : d;
  }

  private static int headerLines(Path csv) throws IOException {
    String first = Files.readAllLines(csv).stream().findFirst().orElse("");
    return first.strip().equalsIgnoreCase("file,label") ? 1 : 0;
  }

  private static List<String[]> rows(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || (i == 0 && l.equalsIgnoreCase("file,label"))) continue;
      String[] c = l.split(",", -1);
      if (c.length != 2 || c[0].isBlank() || c[1].isBlank()) {
        throw new IOException(
            csv + ": line " + (i + 1) + ": expected 'file,label', got '" + l + "'");
      }
      rows.add(new String[] {c[0].strip(), c[1].strip()});
    }
    if (rows.isEmpty()) throw new IOException(csv + ": no 'file,label' rows");
    return rows;
  }

  /**
   * Label text → class id: the integers themselves when all labels are integers, else sorted names
   * 0, 1, ….
   */
  private static Map<String, Integer> classes(List<String[]> rows) {
    Map<String, Integer> m = new TreeMap<>();
    boolean ints = rows.stream().allMatch(r -> r[1].matches("\\d{1,9}"));
    for (String[] r : rows) m.put(r[1], ints ? Integer.parseInt(r[1]) : 0);
    if (!ints) {
      int i = 0;
      for (Map.Entry<String, Integer> e : m.entrySet()) e.setValue(i++);
    }
    return m;
  }
}
