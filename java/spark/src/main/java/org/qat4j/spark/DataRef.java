package org.qat4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.qat4j.core.data.DataSpec;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.UserData;

/**
 * Where a task reads its samples: a path every executor can see (local disk in local mode, a shared
 * mount on a cluster), in any format {@link UserData} reads (IDX folder, image folder at 28×28×1,
 * .npy/.npz, CSV), fitted to {@code sampleShape} (NHWC without batch, or null), and cut to the
 * first {@code limit} samples (0 = all). Only this descriptor travels to executors; each JVM loads
 * the data once and shares it between its task threads (read-only).
 */
public record DataRef(
    String path,
    UserData.Split split,
    int[] sampleShape,
    String labelColumn,
    boolean labels,
    int limit)
    implements Serializable {
  private static final Map<DataRef, Dataset> LOADED = new ConcurrentHashMap<>();

  public DataRef {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(split, "split");
    if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    sampleShape = sampleShape == null ? null : sampleShape.clone();
  }

  /** Labelled data (eval, verify) in the files' own shape. */
  public static DataRef labelled(Path path, UserData.Split split, int limit) {
    return new DataRef(path.toAbsolutePath().toString(), split, null, null, true, limit);
  }

  public DataRef withSampleShape(int[] shape) {
    return new DataRef(path, split, shape, labelColumn, labels, limit);
  }

  public DataRef withLabelColumn(String column) {
    return new DataRef(path, split, sampleShape, column, labels, limit);
  }

  /** Inputs only (labels not read): calibration. */
  public DataRef inputsOnly() {
    return new DataRef(path, split, sampleShape, labelColumn, false, limit);
  }

  /**
   * The samples, loaded once per JVM (driver or executor); only the two most recent data sets stay
   * cached.
   */
  public Dataset load() {
    if (!LOADED.containsKey(this) && LOADED.size() >= 2)
      LOADED.clear(); // running tasks keep their own reference
    return LOADED.computeIfAbsent(
        this,
        r -> {
          try {
            Dataset d =
                UserData.load(
                    Path.of(r.path),
                    r.split,
                    new DataSpec(r.sampleShape, null, r.labelColumn, r.labels));
            return r.limit > 0 && r.limit < d.size() ? d.subset(0, r.limit) : d;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * Cuts [0, n) into at most {@code parts} contiguous {from, to} ranges whose inner boundaries fall
   * on multiples of {@code align} (so batches are the same as a single-node pass with that batch
   * size).
   */
  public static List<int[]> ranges(int n, int parts, int align) {
    if (parts < 1 || align < 1)
      throw new IllegalArgumentException(
          "parts and align must be >= 1, got " + parts + ", " + align);
    int blocks = (n + align - 1) / align;
    List<int[]> r = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      int from = Math.min(n, (int) ((long) blocks * p / parts) * align);
      int to = Math.min(n, (int) ((long) blocks * (p + 1) / parts) * align);
      if (to > from) r.add(new int[] {from, to});
    }
    return r;
  }

  // Records compare arrays by identity; the per-JVM cache needs value equality.
  @Override
  public boolean equals(Object o) {
    return o instanceof DataRef d
        && path.equals(d.path)
        && split == d.split
        && Arrays.equals(sampleShape, d.sampleShape)
        && Objects.equals(labelColumn, d.labelColumn)
        && labels == d.labels
        && limit == d.limit;
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, split, Arrays.hashCode(sampleShape), labelColumn, labels, limit);
  }

  @Override
  public int[] sampleShape() {
    return sampleShape == null ? null : sampleShape.clone();
  }
}
