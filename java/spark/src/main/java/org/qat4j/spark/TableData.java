package org.qat4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.qat4j.core.data.Dataset;

/**
 * Labelled tensors in a Parquet or CSV table, read through Spark's own readers so the rows stay
 * partitioned on the executors. Schema: an integer {@code label} column (or the data reference's
 * label column) and either one {@code x} column of {@code array<float|double|int…>} (one flattened
 * sample, NHWC) or only numeric feature columns (flattened in column order). CSV needs a header
 * row. Paths are detected by extension: {@code .parquet} (a file or a folder of parts), a folder
 * holding {@code *.parquet} parts, or {@code .csv} (a file or a folder of parts).
 */
final class TableData {
  static final String TENSOR = "x";
  private static final String EXPECTED =
      "expected an integer label column plus either x (array of numbers) or numeric feature columns";

  private TableData() {}

  /** The validated column layout of a table; travels to the executors. */
  record Layout(String file, int label, int[] features, boolean array, int[] sampleShape)
      implements Serializable {

    /** One partition's rows as a data set, or null for an empty partition. */
    Dataset dataset(Iterator<Row> rows) {
      List<float[]> xs = new ArrayList<>();
      List<Integer> ys = new ArrayList<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        xs.add(sample(r));
        ys.add(label(r));
      }
      if (xs.isEmpty()) return null;
      int per = xs.get(0).length;
      float[] data = new float[xs.size() * per];
      int[] labels = new int[xs.size()];
      int classes = 1;
      for (int i = 0; i < labels.length; i++) {
        if (xs.get(i).length != per)
          throw new IllegalArgumentException(
              file
                  + ": column x holds "
                  + xs.get(i).length
                  + " and "
                  + per
                  + " values in one table");
        System.arraycopy(xs.get(i), 0, data, i * per, per);
        labels[i] = ys.get(i);
        classes = Math.max(classes, labels[i] + 1);
      }
      int[] shape =
          sampleShape != null && product(sampleShape) == per ? sampleShape : new int[] {per};
      return new Dataset(data, labels, shape, classes);
    }

    private float[] sample(Row r) {
      if (array) {
        if (r.isNullAt(features[0]))
          throw new IllegalArgumentException(file + ": null in column x");
        List<Object> v = r.getList(features[0]);
        float[] x = new float[v.size()];
        for (int i = 0; i < x.length; i++) x[i] = number(v.get(i), TENSOR);
        return x;
      }
      float[] x = new float[features.length];
      for (int i = 0; i < x.length; i++)
        x[i] = number(r.get(features[i]), r.schema().fields()[features[i]].name());
      return x;
    }

    private int label(Row r) {
      Object v = r.get(label);
      if (v == null) throw new IllegalArgumentException(file + ": null label");
      long y = ((Number) v).longValue();
      if (y < 0 || y > Integer.MAX_VALUE)
        throw new IllegalArgumentException(file + ": label " + y + " is not a class id >= 0");
      return (int) y;
    }

    private float number(Object v, String column) {
      if (v == null) throw new IllegalArgumentException(file + ": null in column " + column);
      return ((Number) v).floatValue();
    }
  }

  /** The rows and their layout. */
  record Table(JavaRDD<Row> rows, Layout layout) {}

  /** Whether {@code path} names a Parquet or CSV table (by extension, or a folder of parts). */
  static boolean isTable(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    if (p.endsWith(".parquet") || p.endsWith(".csv")) return true;
    return Files.isDirectory(Path.of(path)) && hasParquetParts(Path.of(path));
  }

  private static boolean hasParquetParts(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the table of {@code ref} with Spark, checks its schema, cuts it to the limit. */
  static Table open(JavaSparkContext sc, DataRef ref, int partitions) {
    SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    boolean csv = ref.path().toLowerCase(Locale.ROOT).endsWith(".csv");
    var df =
        csv
            ? spark.read().option("header", "true").option("inferSchema", "true").csv(ref.path())
            : spark.read().parquet(ref.path());
    Layout layout = layout(ref, df.schema());
    if (ref.limit() > 0) df = df.limit(ref.limit());
    JavaRDD<Row> rows = df.javaRDD();
    if (partitions > 0 && rows.getNumPartitions() != partitions)
      rows = rows.repartition(partitions);
    return new Table(rows, layout);
  }

  static Layout layout(DataRef ref, StructType schema) {
    String labelName = ref.labelColumn() != null ? ref.labelColumn() : "label";
    String[] names = schema.fieldNames();
    int label = List.of(names).indexOf(labelName);
    if (label < 0) throw schemaError(ref, labelName, "missing");
    if (!integral(schema.fields()[label].dataType()))
      throw schemaError(ref, labelName, schema.fields()[label].dataType().simpleString());
    int x = List.of(names).indexOf(TENSOR);
    if (x >= 0) {
      DataType t = schema.fields()[x].dataType();
      if (!(t instanceof ArrayType a && a.elementType() instanceof NumericType))
        throw schemaError(ref, TENSOR, t.simpleString());
      return new Layout(ref.path(), label, new int[] {x}, true, ref.sampleShape());
    }
    List<Integer> features = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (i == label) continue;
      StructField f = schema.fields()[i];
      if (!(f.dataType() instanceof NumericType))
        throw schemaError(ref, f.name(), f.dataType().simpleString());
      features.add(i);
    }
    if (features.isEmpty()) throw schemaError(ref, TENSOR, "missing (and no feature columns)");
    int[] idx = features.stream().mapToInt(Integer::intValue).toArray();
    return new Layout(ref.path(), label, idx, false, ref.sampleShape());
  }

  private static boolean integral(DataType t) {
    return t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.LongType)
        || t.equals(DataTypes.ShortType)
        || t.equals(DataTypes.ByteType);
  }

  private static IllegalArgumentException schemaError(DataRef ref, String column, String found) {
    return new IllegalArgumentException(
        ref.path() + ": column '" + column + "' is " + found + "; " + EXPECTED);
  }

  private static int product(int[] s) {
    int p = 1;
    for (int v : s) p *= v;
    return p;
  }
}
