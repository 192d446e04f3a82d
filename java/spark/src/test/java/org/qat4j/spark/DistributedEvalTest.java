package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.data.Dataset;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.runtime.Validation;

/**
 * Distributed eval on local[2] equals the single-node runtime Validation on the same Fashion-MNIST
 * samples.
 */
@Tag("native")
class DistributedEvalTest {
  @Test
  void countsAndConfusionEqualSingleNode() throws Exception {
    Fixtures f = Fixtures.get();
    Dataset d = f.test.load();
    Validation.Accuracy single;
    try (TfliteModel m = TfliteModel.fromBytes(f.int8);
        Interpreter it = Interpreter.create(m)) {
      single = Validation.accuracy(it, d.size(), d::sample, d::label);
    }
    EvalStats reference = DistributedEval.local(f.int8, d, 0, d.size(), Backend.BUILTIN);
    for (int parts : new int[] {1, 3, 7}) {
      EvalStats s = DistributedEval.run(f.sc, f.int8, f.test, Backend.BUILTIN, parts);
      assertEquals(single.samples(), s.count(), parts + " partitions: count");
      assertEquals(single.correct(), s.correct(), parts + " partitions: correct");
      assertEquals(single.top1(), s.accuracy(), parts + " partitions: accuracy");
      assertEquals(reference, s, parts + " partitions: confusion matrix");
    }
    long[][] c = reference.confusion();
    long diagonal = 0;
    for (int i = 0; i < 10; i++) diagonal += c[i][i];
    assertEquals(reference.correct(), diagonal);
    assertTrue(
        reference.accuracy() > 0.5, "the briefly trained net learned something: " + reference);
  }

  @Test
  void xnnpackAgreesWithItsOwnSingleNodeRun() throws Exception {
    Fixtures f = Fixtures.get();
    Dataset d = f.test.load();
    EvalStats single = DistributedEval.local(f.int8, d, 0, d.size(), Backend.XNNPACK);
    assertEquals(single, DistributedEval.run(f.sc, f.int8, f.test, Backend.XNNPACK, 4));
  }

  @Test
  void tasksRunWhereTheMasterSays() throws Exception {
    Fixtures f = Fixtures.get();
    long driver = ProcessHandle.current().pid();
    java.util.Set<Long> pids =
        new java.util.HashSet<>(
            f.sc
                .parallelize(java.util.List.of(1, 2, 3, 4, 5, 6), 6)
                .map(i -> ProcessHandle.current().pid())
                .collect());
    if (f.sc.master().startsWith("local-cluster")) {
      assertTrue(
          !pids.contains(driver) && pids.size() >= 1,
          "executor JVMs " + pids + " are not the driver " + driver);
    } else {
      assertEquals(java.util.Set.of(driver), pids, "local master: tasks run in the driver JVM");
    }
  }

  @Test
  void partitionRangesAreContiguousAndAligned() {
    var r = DataRef.ranges(600, 7, 64);
    assertEquals(0, r.get(0)[0]);
    assertEquals(600, r.get(r.size() - 1)[1]);
    for (int i = 1; i < r.size(); i++) {
      assertEquals(r.get(i - 1)[1], r.get(i)[0]);
      assertEquals(0, r.get(i)[0] % 64, "inner boundary on a batch boundary");
    }
    assertArrayEquals(new int[] {0, 5}, DataRef.ranges(5, 3, 64).get(0));
    assertEquals(1, DataRef.ranges(5, 3, 64).size());
  }
}
