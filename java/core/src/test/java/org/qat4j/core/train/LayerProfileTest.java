package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.VectorApi;

/** LayerProfile on chain and graph models: every node is profiled once, in execution order. */
class LayerProfileTest {
  /** The table's step rows: the lines between the column header and "adam". */
  private static List<String> rows(Model m, boolean fuse) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LayerProfile.run(m, 4, 1, 2, fuse, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<String> lines = Arrays.asList(bytes.toString(StandardCharsets.UTF_8).split("\n"));
    int from = 0, to = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("layer ")) from = i + 1;
      if (lines.get(i).startsWith("adam ")) to = i;
    }
    assertTrue(lines.get(lines.size() - 1).startsWith("step "), lines.toString());
    return lines.subList(from, to);
  }

  /** The step names of the rows, with each fused chain split into its nodes. */
  private static List<String> nodeNames(List<String> rows) {
    List<String> names = new ArrayList<>();
    for (String r : rows) names.addAll(Arrays.asList(r.split("\\s+")[0].split("\\+")));
    return names;
  }

  private static List<String> modelNames(Model m) {
    return m.nodes().stream().map(Node::name).toList();
  }

  @Test
  void graphWithAddAndConcatenateListsEveryNodeInOrder() {
    Model m = Zoo.create("mobilenet-mini", 3);
    List<String> rows = rows(m, true);
    assertEquals(modelNames(m), nodeNames(rows));
    assertTrue(rows.stream().anyMatch(r -> r.startsWith("ir_add ")), rows.toString());
    assertTrue(rows.stream().anyMatch(r -> r.startsWith("mix_concat ")), rows.toString());
    // BN → ReLU6 chains run fused in the graph, as Model trains them
    assertTrue(rows.stream().anyMatch(r -> r.startsWith("ir_dw_bn+ir_dw_relu ")), rows.toString());
  }

  @Test
  void unfusedGraphHasOneRowPerNode() {
    Model m = Zoo.create("mobilenet-mini", 3);
    List<String> rows = rows(m, false);
    assertEquals(modelNames(m), nodeNames(rows));
    assertEquals(m.nodes().size(), rows.size());
  }

  @Test
  void chainKeepsItsFusedSteps() {
    Model m = Zoo.create("reference-cnn", 3);
    List<String> rows = rows(m, true);
    assertEquals(modelNames(m), nodeNames(rows));
    // With the Vector API the first conv joins its BN chain (ConvBnPool), else BN → ReLU → pool.
    String chain = VectorApi.on() ? "conv1+bn1+relu1+pool1 " : "bn1+relu1+pool1 ";
    assertTrue(rows.stream().anyMatch(r -> r.startsWith(chain)), rows.toString());
    assertTrue(rows.get(0).startsWith("input "), rows.toString());
  }

  @Test
  void listenerSeesEveryStepForwardThenBackwardInReverse() {
    Model m = Zoo.create("mobilenet-mini", 3);
    List<String> seen = new ArrayList<>();
    m.listen((first, last, backward) -> seen.add((backward ? "b:" : "f:") + first.name()));
    Tensor x = Tensor.zeros(2, 28, 28, 1);
    m.forward(x, ExecContext.training(1));
    int forward = seen.size();
    m.backward(Tensor.zeros(2, 10), ExecContext.training(1));
    assertEquals(2 * forward, seen.size());
    for (int i = 0; i < forward; i++)
      assertEquals(seen.get(i).substring(2), seen.get(2 * forward - 1 - i).substring(2));
    m.listen(null);
  }

  @Test
  void rejectsZeroIterations() {
    Model m = Zoo.create("mobilenet-mini", 3);
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    var e =
        assertThrows(IllegalArgumentException.class, () -> LayerProfile.run(m, 2, 1, 0, true, out));
    assertTrue(e.getMessage().contains("iterations"), e.getMessage());
  }

  @Test
  void rejectsNegativeWarmupAndPrintsTheWarmup() {
    Model m = Zoo.create("reference-cnn", 3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> LayerProfile.run(m, 2, -1, 1, true, out));
    assertTrue(e.getMessage().contains("warm-up"), e.getMessage());
    LayerProfile.run(m, 2, 0, 1, true, out);
    LayerProfile.run(m, 2, 3, 1, true, out);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains(" warm-up=0 iterations=1 "), text);
    assertTrue(text.contains(" warm-up=3 iterations=1 "), text);
  }
}
