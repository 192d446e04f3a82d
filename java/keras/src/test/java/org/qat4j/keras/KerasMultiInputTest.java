package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/** A Functional Keras model with two inputs (the StackedGAN generator) imports with both. */
class KerasMultiInputTest {
  @Test
  void stackedGanGeneratorImportsWithTwoInputsAndExactWeights() throws Exception {
    Path p = Fixtures.require("12_stackedgan_gen1_2inputs_k224tf.h5");
    KerasImport r = KerasImporter.read(p);
    Model m = r.model();
    assertEquals(2, m.inputs().size());
    assertArrayEquals(new int[] {10}, m.inputs().get(0).shape());
    assertArrayEquals(new int[] {50}, m.inputs().get(1).shape());
    assertEquals(List.of(256), m.outputs().stream().map(n -> n.shape()[0]).toList());
    long count = 0;
    for (Param q : m.trainableParams()) count += q.value().size();
    assertEquals(427264, count, "trainable parameters (README)");
    Map<String, Param> params = m.params();
    assertEquals(params.keySet(), r.weightSources().keySet());
    try (HdfFile h5 = H5Values.open(p)) {
      for (Map.Entry<String, String> e : r.weightSources().entrySet()) {
        float[] want = (float[]) h5.getDatasetByPath(e.getValue()).getDataFlat();
        assertArrayEquals(want, params.get(e.getKey()).value().toArray(), 0f, e.getKey());
      }
    }
    Tensor[] y =
        m.forward(new Tensor[] {Tensor.zeros(2, 10), Tensor.zeros(2, 50)}, ExecContext.inference());
    assertArrayEquals(new int[] {2, 256}, y[0].shape());
    for (Node n : m.inputs()) assertEquals("Input", n.layer().type());
  }
}
