package org.qat4j.tflite.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * Any model the reader accepts, however odd, gets a report: mutated tiny models never make the
 * pre-flight throw.
 */
class PreflightFuzzTest {
  private static byte[] seedModel(DType type) {
    TinyModels m = new TinyModels(type);
    int x = m.input(1, 8, 8, 3);
    int c = m.conv(x, 4, TinyModels.D.withActivation(FusedActivation.RELU6));
    int p = m.maxPool(c, FusedActivation.NONE);
    int mean = m.mean(p, new int[] {1, 2}, 1, 1, 1, 4);
    int r = m.reshape(mean, 1, 4);
    return m.bytes(m.softmax(m.fc(r, 1, 4)));
  }

  @Test
  void mutatedModelsAreReportedWithoutExceptions() {
    List<byte[]> seeds =
        List.of(
            seedModel(DType.INT8),
            seedModel(DType.UINT8),
            seedModel(DType.FLOAT32),
            CompiledModelBytes.build(8, 16));
    SplittableRandom rnd = new SplittableRandom(42);
    int accepted = 0;
    for (int c = 0; c < 1500; c++) {
      byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
      int flips = 1 + rnd.nextInt(4);
      for (int i = 0; i < flips; i++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      TfliteModelInfo info;
      try {
        info = TfliteReader.read(b);
      } catch (ModelFormatException e) {
        continue;
      }
      accepted++;
      PreflightReport r = EdgeTpuPreflight.check(info);
      assertEquals(info.subgraph(0).operators().size(), r.totalOps(), "case " + c);
      assertEquals(r.totalOps(), r.edgetpuOps() + r.cpuOps(), "case " + c);
      assertNotNull(r.text());
      assertNotNull(r.toMap());
    }
    System.out.println(
        "pre-flight fuzz: " + accepted + " of 1500 mutants accepted by the reader and reported");
  }
}
