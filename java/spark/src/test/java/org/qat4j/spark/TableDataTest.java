package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.data.UserData;
import org.qat4j.runtime.Backend;

/**
 * The same Fashion-MNIST test images as IDX and as a Parquet table (x array of floats) or a CSV
 * table (one column per pixel) give exactly the same distributed eval and verify results.
 */
@Tag("native")
class TableDataTest {
  private static final int N = 200;

  @TempDir Path tmp;

  @Test
  void parquetAndCsvGiveTheSameEvalAndVerifyAsIdx() throws Exception {
    Fixtures f = Fixtures.get();
    DataRef idx = DataRef.labelled(FashionMnist.defaultDir(), UserData.Split.TEST, N);
    Dataset d = idx.load();
    Path parquet = tmp.resolve("test.parquet");
    session(f).createDataFrame(rows(d), tensorSchema()).write().parquet(parquet.toString());
    Path csv = tmp.resolve("test.csv");
    writeCsv(d, csv);
    EvalStats e = DistributedEval.run(f.sc, f.int8, idx, Backend.BUILTIN, 2);
    VerifyStats v = DistributedVerify.run(f.sc, f.int8, idx, 2);
    for (Path p : List.of(parquet, csv)) {
      DataRef t = DataRef.labelled(p, UserData.Split.TEST, 0);
      assertTrue(TableData.isTable(t.path()), p + " detected as a table");
      EvalStats te = DistributedEval.run(f.sc, f.int8, t, Backend.BUILTIN, 3);
      assertEquals(N, te.count(), p + ": count");
      assertEquals(e, te, p + ": count, correct and confusion matrix");
      assertEquals(e.accuracy(), te.accuracy(), p + ": accuracy");
      VerifyStats tv = DistributedVerify.run(f.sc, f.int8, t, 3);
      assertEquals(v, tv, p + ": LSB histograms and confusion matrices");
      assertEquals(v.xnnpack().exactFraction(), tv.xnnpack().exactFraction(), p + ": fraction");
    }
  }

  @Test
  void aWrongSchemaIsOneClearError() throws Exception {
    Fixtures f = Fixtures.get();
    Path bad = tmp.resolve("bad.parquet");
    StructType s =
        new StructType()
            .add("label", DataTypes.StringType)
            .add("x", tensorSchema().apply("x").dataType());
    session(f)
        .createDataFrame(List.of(RowFactory.create("shirt", List.of(0f))), s)
        .write()
        .parquet(bad.toString());
    DataRef ref = DataRef.labelled(bad, UserData.Split.TEST, 0);
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () -> DistributedEval.run(f.sc, f.int8, ref, Backend.BUILTIN, 2));
    assertTrue(
        ex.getMessage().contains(bad.toString())
            && ex.getMessage().contains("column 'label' is string")
            && ex.getMessage().contains("expected an integer label"),
        ex.getMessage());
  }

  private static SparkSession session(Fixtures f) {
    return SparkSession.builder().sparkContext(f.sc.sc()).getOrCreate();
  }

  private static StructType tensorSchema() {
    return new StructType()
        .add("label", DataTypes.IntegerType)
        .add("x", DataTypes.createArrayType(DataTypes.FloatType, false));
  }

  private static List<Row> rows(Dataset d) {
    List<Row> r = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) {
      List<Float> x = new ArrayList<>();
      for (float v : d.sample(i)) x.add(v);
      r.add(RowFactory.create(d.label(i), x));
    }
    return r;
  }

  private static void writeCsv(Dataset d, Path csv) throws IOException {
    try (Writer w = Files.newBufferedWriter(csv)) {
      int per = d.sample(0).length;
      StringBuilder h = new StringBuilder("label");
      for (int j = 0; j < per; j++) h.append(",p").append(j);
      w.write(h + "\n");
      for (int i = 0; i < d.size(); i++) {
        StringBuilder row = new StringBuilder().append(d.label(i));
        for (float v : d.sample(i)) row.append(',').append(v);
        w.write(row + "\n");
      }
    }
  }
}
