package org.qat4j.core.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;

class ZooTest {
  @Test
  void referenceCnnArchitecture() {
    Model m = Zoo.referenceCnn(1);
    assertArrayEquals(new int[] {28, 28, 1}, m.inputShape());
    assertArrayEquals(new int[] {10}, m.outputShape());
    assertArrayEquals(new int[] {26, 26, 32}, m.node("conv1").shape());
    assertArrayEquals(new int[] {11, 11, 64}, m.node("conv2").shape());
    assertArrayEquals(new int[] {1600}, m.node("flatten").shape());
    // conv 320 + bn 128 + conv 18,496 + bn 256 + dense 204,928 + dense 1,290
    assertEquals(225_418, m.parameterCount());
    assertEquals(
        String.join(
            ",", "input", "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2",
            "flatten", "dense1", "relu3", "logits"),
        String.join(",", m.nodes().stream().map(n -> n.name()).toList()));
  }

  @Test
  void seededInitialisation() {
    float[] a = Zoo.create("reference-cnn", 3).params().get("conv1/kernel").value().toArray();
    assertArrayEquals(a, Zoo.referenceCnn(3).params().get("conv1/kernel").value().toArray());
    assertNotEquals(a[0], Zoo.referenceCnn(4).params().get("conv1/kernel").value().toArray()[0]);
  }

  @Test
  void registry() {
    assertTrue(Zoo.names().contains("reference-cnn") && Zoo.names().contains("mlp"));
    var e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("resnet9000", 1));
    assertTrue(e.getMessage().contains("reference-cnn"), e.getMessage());
  }

  /** Tuned architectures have their own recipe; the rest, and saved models, get the untuned one. */
  @Test
  void recipes() {
    Recipe cnn = Zoo.recipe("reference-cnn"), mnm = Zoo.recipe("mobilenet-mini");
    assertEquals(Recipe.REFERENCE_CNN_INIT, cnn.convInitScale());
    assertNotEquals(cnn.peakLr(), mnm.peakLr());
    assertEquals(1, mnm.convInitScale());
    Recipe untuned = Zoo.recipe("mobilenet-v2");
    assertEquals(untuned, Zoo.recipe("/models/mine.q4j"));
    assertEquals(cnn.peakLr(), untuned.peakLr());
    assertEquals(1, untuned.convInitScale());
    assertThrows(IllegalArgumentException.class, () -> new Recipe(0, 1, "zero rate"));
    assertThrows(IllegalArgumentException.class, () -> new Recipe(1e-3, Double.NaN, "no scale"));
  }
}
