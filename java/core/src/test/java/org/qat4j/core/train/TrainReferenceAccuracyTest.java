package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.ir.internal.Parallel;

/**
 * The documented accuracy target (docs/PERFORMANCE.md): reference CNN, Adam 1e-3 with a cosine
 * decay, batch 64, conv kernels at Glorot variance scale 0.04, 5 epochs, seed 1, 2 threads: ≥ 91.5%
 * test top-1 (measured 91.67%). Same seed and threads give the same curve, so this is one fixed
 * run; over seeds 1–10 the recipe averages 91.53% (docs/PERFORMANCE.md lists every seed).
 */
@Tag("slow")
class TrainReferenceAccuracyTest {
  static final String[] RECIPE = {"5", "2", "", "1", "--lr=cosine", "--conv-init-scale=0.04"};

  @Test
  void referenceCnnReachesTargetAccuracy() throws IOException {
    assumeTrue(
        FashionMnist.available(),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    TrainReference.Options o = TrainReference.Options.parse(RECIPE);
    Parallel.setThreads(o.threads());
    History h =
        TrainReference.train(o, FashionMnist.load(o.dir()), new ProgressLogger(System.out, 0));
    assertTrue(
        h.last().valAccuracy() >= 0.915, "test accuracy after 5 epochs " + h.last().valAccuracy());
  }
}
