package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Node;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

class StructureLayersTest {
  @Test
  void addSumsAndPassesGradientToEveryInput() {
    Tensor a = Checks.random(1, 2, 3, 3, 2),
        b = Checks.random(2, 2, 3, 3, 2),
        c = Checks.random(3, 2, 3, 3, 2);
    Add add = Checks.build(new Add("add"), a, b, c);
    Tensor y = add.forward(new Tensor[] {a, b, c}, ExecContext.inference());
    assertEquals(a.get(7) + b.get(7) + c.get(7), y.get(7), 1e-6);
    Checks.gradients(new Add("add"), a, b, c);
  }

  @Test
  void addShapeErrorNamesLayerAndBothShapes() {
    GraphBuilder g = new GraphBuilder(1);
    Node in = g.input("in", 4, 4, 3);
    Node p = g.add(new MaxPool2D("pool", 2, 2), in);
    var e = assertThrows(ShapeException.class, () -> g.add(new Add("res"), in, p));
    assertTrue(
        e.getMessage().contains("'res'")
            && e.getMessage().contains("[4, 4, 3]")
            && e.getMessage().contains("[2, 2, 3]"),
        e.getMessage());
    var f = assertThrows(ShapeException.class, () -> g.add(new Add("one"), in));
    assertTrue(f.getMessage().contains("'one'"), f.getMessage());
  }

  @Test
  void concatenateChannels() {
    Tensor a = Checks.random(1, 2, 2, 3, 2),
        b = Checks.random(2, 2, 2, 3, 1),
        c = Checks.random(3, 2, 2, 3, 3);
    Concatenate cat = Checks.build(new Concatenate("cat"), a, b, c);
    Tensor y = cat.forward(new Tensor[] {a, b, c}, ExecContext.inference());
    assertArrayEquals(new int[] {2, 2, 3, 6}, y.shape());
    assertEquals(a.at(1, 1, 2, 1), y.at(1, 1, 2, 1));
    assertEquals(b.at(1, 0, 2, 0), y.at(1, 0, 2, 2));
    assertEquals(c.at(0, 1, 0, 2), y.at(0, 1, 0, 5));
    Checks.gradients(new Concatenate("cat"), a, b, c);
  }

  @Test
  void concatenateShapeErrorNamesLayerAndBothShapes() {
    GraphBuilder g = new GraphBuilder(1);
    Node in = g.input("in", 4, 4, 3);
    Node p = g.add(new MaxPool2D("pool", 2, 2), in);
    var e = assertThrows(ShapeException.class, () -> g.add(new Concatenate("cat"), in, p));
    assertTrue(
        e.getMessage().contains("'cat'")
            && e.getMessage().contains("[4, 4, 3]")
            && e.getMessage().contains("[2, 2, 3]"),
        e.getMessage());
  }

  @Test
  void flattenAndReshapeAreViews() {
    Tensor x = Checks.random(1, 2, 3, 4, 5);
    Flatten f = Checks.build(new Flatten("f"), x);
    Tensor y = f.forward(new Tensor[] {x}, ExecContext.inference());
    assertArrayEquals(new int[] {2, 60}, y.shape());
    assertEquals(x.at(1, 2, 3, 4), y.get(119));
    assertArrayEquals(new int[] {60}, f.outputShape(new int[] {3, 4, 5}));
    Checks.gradients(new Flatten("f"), x);
    Reshape r = Checks.build(new Reshape("r", -1, 6), x);
    assertArrayEquals(new int[] {10, 6}, r.outputShape(new int[] {3, 4, 5}));
    assertArrayEquals(
        new int[] {2, 10, 6}, r.forward(new Tensor[] {x}, ExecContext.inference()).shape());
    Checks.gradients(new Reshape("r", 5, -1, 3), x);
  }

  @Test
  void reshapeErrors() {
    var e =
        assertThrows(
            ShapeException.class, () -> new Reshape("rs", 7, -1).outputShape(new int[] {3, 4}));
    assertTrue(
        e.getMessage().contains("'rs'")
            && e.getMessage().contains("[3, 4]")
            && e.getMessage().contains("[7, -1]"),
        e.getMessage());
    assertThrows(ShapeException.class, () -> new Reshape("rs", 5, 2).outputShape(new int[] {3, 4}));
    assertThrows(IllegalArgumentException.class, () -> new Reshape("rs", -1, -1));
    assertThrows(IllegalArgumentException.class, () -> new Reshape("rs", 0, 3));
  }

  @Test
  void zeroPadding() {
    Tensor x = Checks.random(1, 2, 3, 2, 2);
    ZeroPadding2D zp = Checks.build(new ZeroPadding2D("zp", 1, 2, 0, 3), x);
    Tensor y = zp.forward(new Tensor[] {x}, ExecContext.inference());
    assertArrayEquals(new int[] {2, 6, 5, 2}, y.shape());
    assertEquals(x.at(1, 2, 1, 1), y.at(1, 3, 1, 1));
    assertEquals(0f, y.at(1, 0, 0, 0));
    assertEquals(0f, y.at(0, 5, 4, 1));
    assertEquals(0f, y.at(0, 2, 3, 1));
    Checks.gradients(new ZeroPadding2D("zp", 1, 2, 0, 3), x);
    assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D("zp", -1, 0, 0, 0));
  }

  @Test
  void dropoutIsReproducibleScaledAndIdentityAtInference() {
    Tensor x = Tensor.zeros(4, 500);
    x.fill(1f);
    Dropout d = Checks.build(new Dropout("drop", 0.25f), x);
    assertSame(x, d.forward(new Tensor[] {x}, ExecContext.inference()));
    float[] a = d.forward(new Tensor[] {x}, ExecContext.training(7)).toArray();
    float[] b = d.forward(new Tensor[] {x}, ExecContext.training(7)).toArray();
    float[] c = d.forward(new Tensor[] {x}, ExecContext.training(8)).toArray();
    assertArrayEquals(a, b);
    assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    int kept = 0;
    for (float v : a) {
      assertTrue(v == 0f || Math.abs(v - 4f / 3) < 1e-6, "value " + v);
      if (v != 0f) kept++;
    }
    assertEquals(0.75, kept / 2000.0, 0.04);
    Checks.gradients(new Dropout("drop", 0.4f), Checks.random(3, 3, 10));
    assertThrows(IllegalArgumentException.class, () -> new Dropout("drop", 1f));
  }
}
