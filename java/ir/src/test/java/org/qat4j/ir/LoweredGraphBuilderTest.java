package org.qat4j.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoweredGraphBuilderTest {
  private static int act(LoweredGraphBuilder b, String n, int... shape) {
    return b.addTensor(TensorSpec.activation(n, shape, DType.FLOAT32, null));
  }

  private static LoweredGraphBuilder fc() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("g");
    int x = act(b, "x", 1, 3);
    int w = b.addTensor(new TensorSpec("w", new int[] {2, 3}, DType.FLOAT32, null, new float[6]));
    int bias = b.addTensor(new TensorSpec("b", new int[] {2}, DType.FLOAT32, null, new float[2]));
    int y = act(b, "y", 1, 2);
    int z = act(b, "z", 1, 2);
    b.addOp(OpKind.FULLY_CONNECTED, new int[] {x, w, bias}, new int[] {y}, null);
    b.addOp(OpKind.SOFTMAX, new int[] {y}, new int[] {z}, new OpOptions.Softmax(1f));
    return b.setInputs(x).setOutputs(z);
  }

  @Test
  void buildsValidGraph() {
    LoweredGraphBuilder b =
        fc().description("d").metadata("k", "v".getBytes(StandardCharsets.UTF_8));
    LoweredGraph g = b.build();
    assertEquals(5, g.tensors().size());
    assertEquals(2, g.ops().size());
    assertArrayEquals(new int[] {0}, g.inputs());
    assertArrayEquals(new int[] {4}, g.outputs());
    assertEquals("d", g.description());
    assertEquals("v", new String(g.metadata().get("k"), StandardCharsets.UTF_8));
    LoweredGraph copy = LoweredGraphBuilder.from(g).build();
    assertEquals(g.ops().size(), copy.ops().size());
  }

  @Test
  void rejectsOutOfRangeIndex() {
    LoweredGraphBuilder b = fc();
    b.addOp(OpKind.RELU, new int[] {99}, new int[] {3}, null);
    IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
    assertTrue(e.getMessage().contains("99"), e.getMessage());
  }

  @Test
  void rejectsSecondProducer() {
    LoweredGraphBuilder b = fc();
    b.addOp(OpKind.RELU, new int[] {3}, new int[] {4}, null);
    IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
    assertTrue(e.getMessage().contains("already produced"), e.getMessage());
  }

  @Test
  void rejectsReadBeforeWrite() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("g");
    int x = act(b, "x", 1, 2), y = act(b, "y", 1, 2), z = act(b, "z", 1, 2);
    b.addOp(OpKind.RELU, new int[] {y}, new int[] {z}, null);
    b.addOp(OpKind.RELU, new int[] {x}, new int[] {y}, null);
    b.setInputs(x).setOutputs(z);
    IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
    assertTrue(e.getMessage().contains("topological"), e.getMessage());
  }

  @Test
  void rejectsUnproducedOutputAndBadConstants() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("g");
    int x = act(b, "x", 1, 2), y = act(b, "y", 1, 2);
    b.setInputs(x).setOutputs(y);
    assertThrows(IllegalStateException.class, b::build);
    LoweredGraphBuilder c = fc();
    c.setTensor(1, new TensorSpec("w", new int[] {2, 3}, DType.FLOAT32, null, new float[5]));
    IllegalStateException e = assertThrows(IllegalStateException.class, c::build);
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    LoweredGraphBuilder d = fc();
    d.setTensor(1, new TensorSpec("w", new int[] {2, 3}, DType.INT8, null, new float[6]));
    assertThrows(IllegalStateException.class, d::build);
  }

  @Test
  void rejectsWritingInputOrConstant() {
    LoweredGraphBuilder b = fc();
    b.addOp(OpKind.RELU, new int[] {4}, new int[] {0}, null);
    assertThrows(IllegalStateException.class, b::build);
    LoweredGraphBuilder c = fc();
    c.addOp(OpKind.RELU, new int[] {4}, new int[] {1}, null);
    assertThrows(IllegalStateException.class, c::build);
  }
}
