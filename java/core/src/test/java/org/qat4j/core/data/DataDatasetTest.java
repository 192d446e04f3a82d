package org.qat4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

class DataDatasetTest {
  /** n samples of 3×3×1 whose every pixel equals the sample index; label = index % 4. */
  private static Dataset indexed(int n) {
    float[] x = new float[n * 9];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(x, i * 9, (i + 1) * 9, i);
      y[i] = i % 4;
    }
    return new Dataset(x, y, new int[] {3, 3, 1}, 4);
  }

  private static List<Integer> order(Dataset d, int batch, boolean shuffle, long seed) {
    List<Integer> ids = new ArrayList<>();
    for (Batch b : d.batches(batch, shuffle, seed)) {
      for (int k = 0; k < b.size(); k++) {
        int id = (int) b.images().get(k * 9);
        assertEquals(id % 4, b.labels()[k], "label travels with its image");
        ids.add(id);
      }
    }
    return ids;
  }

  @Test
  void everySampleOncePerEpochWithPartialLastBatch() {
    Dataset d = indexed(10);
    List<Integer> ids = order(d, 4, true, 3);
    assertEquals(10, ids.size());
    assertEquals(10, ids.stream().distinct().count());
    List<Integer> sizes = new ArrayList<>();
    for (Batch b : d.batches(4, true, 3)) sizes.add(b.size());
    assertEquals(List.of(4, 4, 2), sizes);
    assertEquals(3, d.batchCount(4));
  }

  @Test
  void shuffleIsSeeded() {
    Dataset d = indexed(50);
    assertEquals(order(d, 8, true, 1), order(d, 8, true, 1));
    assertNotEquals(order(d, 8, true, 1), order(d, 8, true, 2));
    List<Integer> stored = order(d, 8, false, 99);
    for (int i = 0; i < 50; i++) assertEquals(i, stored.get(i));
  }

  @Test
  void batchTensorsAreReused() {
    Dataset d = indexed(8);
    Tensor first = null;
    for (Batch b : d.batches(4, false, 0)) {
      if (first == null) first = b.images();
      else assertSame(first, b.images());
    }
  }

  @Test
  void subsetSharesStorage() {
    Dataset s = indexed(10).subset(3, 6);
    assertEquals(3, s.size());
    assertEquals(4f, s.sample(1)[0]);
    assertEquals(0, s.label(1));
    assertThrows(IndexOutOfBoundsException.class, () -> s.sample(3));
  }

  @Test
  void flipMirrorsRows() {
    float[] x = {1, 2, 3, 4, 5, 6}; // 2×3×1
    Dataset d =
        new Dataset(x, new int[] {0}, new int[] {2, 3, 1}, 1)
            .withAugmentation(new Augmentation(0, true));
    boolean sawFlip = false, sawPlain = false;
    for (int seed = 0; seed < 20; seed++) {
      float[] got = d.batches(1, true, seed).iterator().next().images().toArray();
      if (java.util.Arrays.equals(got, new float[] {3, 2, 1, 6, 5, 4})) sawFlip = true;
      else {
        assertArrayEquals(x, got);
        sawPlain = true;
      }
    }
    assertTrue(sawFlip && sawPlain);
  }

  @Test
  void cropShiftsWithZeroFill() {
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) x[i] = i + 1; // 4×4×1, all non-zero
    Dataset d =
        new Dataset(x, new int[] {0}, new int[] {4, 4, 1}, 1)
            .withAugmentation(new Augmentation(1, false));
    boolean sawShift = false;
    for (int seed = 0; seed < 30; seed++) {
      float[] got = d.batches(1, true, seed).iterator().next().images().toArray();
      int zeros = 0;
      for (float v : got) if (v == 0) zeros++;
      // a shift by (dy, dx) ∈ {-1,0,1}² zeroes 0, 4, or 7 pixels of a 4×4 image
      assertTrue(zeros == 0 || zeros == 4 || zeros == 7, "zeros " + zeros);
      if (zeros > 0) sawShift = true;
      for (float v : got) assertTrue(v == 0 || (v >= 1 && v <= 16));
    }
    assertTrue(sawShift);
    float[] eval = d.batches(1, false, 0).iterator().next().images().toArray();
    assertArrayEquals(x, eval, "no augmentation in stored-order (evaluation) batches");
  }

  @Test
  void invalidInputs() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Dataset(new float[8], new int[] {0}, new int[] {3, 3, 1}, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Dataset(new float[9], new int[] {2}, new int[] {3, 3, 1}, 2));
    assertThrows(IllegalArgumentException.class, () -> indexed(4).batches(0, false, 0));
  }
}
