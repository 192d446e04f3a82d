package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.internal.Parallel;
import org.qat4j.core.zoo.Zoo;

/** The documented accuracy target: reference CNN, Adam 1e-3, batch 64, 5 epochs, ≥ 91.5% test top-1. */
@Tag("slow")
class TrainReferenceAccuracyTest {
  @Test void referenceCnnReachesTargetAccuracy() throws IOException {
    assumeTrue(FashionMnist.available(), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    Parallel.setThreads(2);
    FashionMnist.Splits d = FashionMnist.load();
    History h = new Trainer(Zoo.referenceCnn(1), new Adam(1e-3))
        .addCallback(new ProgressLogger(System.out, 0)).fit(d.train(), d.test(), 5, 64, 1);
    double best = java.util.Arrays.stream(h.valAccuracies()).max().orElse(0);
    assertTrue(h.last().valAccuracy() >= 0.915, "test accuracy after 5 epochs " + h.last().valAccuracy() + " (best " + best + ")");
  }
}
