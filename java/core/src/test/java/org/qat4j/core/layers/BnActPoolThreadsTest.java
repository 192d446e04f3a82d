package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * The fused BN → act → 2×2 pool pass at 2 and 3 threads, where the statistics and the pooled pass
 * (forward), and the sums and dx (backward), run as the two phases of one {@link
 * org.qat4j.ir.internal.Phases} region: the Vector API path (8 sample groups per worker) and the
 * plain path (one per worker) give the same bits, and the fused forward's batch statistics are bit
 * for bit those of the separate BN layer (the same chunked sums). Shapes big enough for several
 * workers (the reference CNN's bn2, and partial vectors with pixels outside the windows).
 */
class BnActPoolThreadsTest {
  private static final int[][] SHAPES = {{64, 11, 11, 64}, {24, 10, 9, 40}, {37, 12, 12, 33}};
  private final int initialThreads = Parallel.threads();
  private final boolean initialVector = Lanes.vector();

  @AfterEach
  void restore() {
    Parallel.setThreads(initialThreads);
    Lanes.useVector(initialVector);
  }

  @Test
  void vectorAndPlainGiveTheSameBitsOnSeveralWorkers() {
    for (int threads : new int[] {2, 3}) {
      Parallel.setThreads(threads);
      for (int[] s : SHAPES) {
        for (String chain : List.of("relu+pool", "relu6+pool")) {
          Tensor x = Checks.random(s[3] * 13L + threads, s);
          List<float[]> plain = BnVectorTest.run(chain, x, s, false);
          List<float[]> other = BnVectorTest.run(chain, x, s, Lanes.VECTOR_AVAILABLE);
          for (int i = 0; i < plain.size(); i++)
            assertArrayEquals(plain.get(i), other.get(i), at(chain, s, threads) + " result " + i);
        }
      }
    }
  }

  @Test
  void fusedBatchStatisticsAreTheLayersBitForBit() {
    for (int threads : new int[] {1, 2, 3}) {
      Parallel.setThreads(threads);
      for (int[] s : SHAPES) {
        for (boolean vector :
            Lanes.VECTOR_AVAILABLE ? new boolean[] {false, true} : new boolean[] {false}) {
          Tensor x = Checks.random(s[3] * 7L + threads, s);
          List<float[]> fused = BnVectorTest.run("relu+pool", x, s, vector);
          List<float[]> layer = BnVectorTest.run("bn", x, s, vector);
          String at = at("relu+pool", s, threads) + " vector " + vector;
          assertArrayEquals(layer.get(4), fused.get(4), at + " moving mean");
          assertArrayEquals(layer.get(5), fused.get(5), at + " moving variance");
        }
      }
    }
  }

  @Test
  void backwardWithoutInputGradientStillWritesGammaAndBeta() {
    Parallel.setThreads(2);
    int[] s = SHAPES[0];
    Tensor x = Checks.random(3, s);
    List<float[]> full = BnVectorTest.run("relu+pool", x, s, Lanes.VECTOR_AVAILABLE);
    BatchNormalization bn = BnVectorTest.bn(s);
    BnActPool f = BnActPool.match(bn, new ReLU("a"), BnVectorTest.pool(s));
    Tensor y = f.forward(x, ExecContext.training(1));
    assertNull(f.backward(Checks.random(9, y.shape()), false));
    assertArrayEquals(full.get(2), bn.gamma().grad().toArray(), "γ gradient");
    assertArrayEquals(full.get(3), bn.beta().grad().toArray(), "β gradient");
  }

  private static String at(String chain, int[] s, int threads) {
    return chain
        + " "
        + s[0]
        + "x"
        + s[1]
        + "x"
        + s[2]
        + "x"
        + s[3]
        + " at "
        + threads
        + " threads";
  }
}
