package org.qat4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Tensor;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;
import org.qat4j.tflite.edgetpu.PreflightReport;

/** The figure drivers' inputs: calibration images and the float/int8 export of a zoo model. */
class ZooExportsTest {
  @Test
  void smoothImagesHaveTheRequestedShapeRangeAndVariety() {
    List<Tensor> rgb = ZooExports.smoothImages(new int[] {32, 32, 3}, 10, 4, 1);
    assertEquals(3, rgb.size());
    assertArrayEquals(new int[] {2, 32, 32, 3}, rgb.get(2).shape());
    float[] v = rgb.get(0).toArray();
    float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    assertTrue(min >= -1f && max <= 1f && max - min > 0.5f, "range [" + min + ", " + max + "]");
    float[] gray = ZooExports.smoothImages(new int[] {28, 28, 1}, 1, 1, 1).get(0).toArray();
    for (float x : gray) assertTrue(x >= 0f && x <= 1f, "one-channel images are in [0, 1]: " + x);
    // neighbouring pixels are close (smooth), distant ones are not all equal
    assertTrue(
        Math.abs(gray[0] - gray[1]) < 0.2f && Math.abs(gray[0] - gray[27 * 28 + 27]) > 1e-3f);
  }

  @Test
  void miniExportIsSmallerAndFullyMappedToEdgeTpu(@TempDir Path dir) throws Exception {
    ZooExports.Pair p = ZooExports.export("mobilenet-mini", dir, 16, 8);
    long f = Files.size(p.floatFile()), q = Files.size(p.int8File());
    assertTrue(q < f / 2, "int8 " + q + " vs float " + f);
    PreflightReport r = EdgeTpuPreflight.check(TfliteReader.read(Files.readAllBytes(p.int8File())));
    assertEquals(0, r.cpuOps(), r.text());
    assertEquals(15, r.totalOps(), r.text());
    assertEquals(p.int8File(), ZooExports.existing("mobilenet-mini", dir).int8File());
  }

  @Test
  void missingFilesAndUnknownModelsAreReported(@TempDir Path dir) {
    var e =
        assertThrows(IllegalArgumentException.class, () -> ZooExports.existing("resnet50", dir));
    assertTrue(e.getMessage().contains("resnet50_float.tflite"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> ZooExports.export("resnet9000", dir, 1, 1));
    assertTrue(e.getMessage().contains("resnet9000"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Args(new String[] {"--runs"}));
    assertTrue(e.getMessage().contains("--runs"), e.getMessage());
  }
}
