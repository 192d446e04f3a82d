package org.qat4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class DataFashionMnistTest {
  @Test
  void shapesLabelsAndRange() throws IOException {
    assumeTrue(
        FashionMnist.available(),
        "Fashion-MNIST not installed at "
            + FashionMnist.defaultDir()
            + " (apt-get install dataset-fashion-mnist)");
    FashionMnist.Splits s = FashionMnist.load();
    assertEquals(60_000, s.train().size());
    assertEquals(10_000, s.test().size());
    assertArrayEquals(new int[] {28, 28, 1}, s.train().sampleShape());
    int[] counts = new int[10];
    for (int i = 0; i < s.train().size(); i++) counts[s.train().label(i)]++;
    for (int c : counts) assertEquals(6_000, c, "balanced classes");
    int[] testCounts = new int[10];
    for (int i = 0; i < s.test().size(); i++) testCounts[s.test().label(i)]++;
    for (int c : testCounts) assertEquals(1_000, c);
    float min = 1, max = 0;
    double sum = 0;
    for (int i = 0; i < 1000; i++) {
      for (float v : s.train().sample(i)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
    double mean = sum / (1000 * 784);
    assertEquals(0.286, mean, 0.03, "Fashion-MNIST mean pixel is about 0.286");
    assertEquals("Ankle boot", s.train().classNames().get(9));
  }
}
