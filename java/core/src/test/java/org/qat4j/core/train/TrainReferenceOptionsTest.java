package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainReferenceOptionsTest {
  @Test
  void defaultsAreKerasAndConstantRate() {
    TrainReference.Options o = TrainReference.Options.parse();
    assertEquals(5, o.epochs());
    assertEquals(2, o.threads());
    assertEquals(1L, o.seed());
    assertEquals("constant", o.lr());
    assertEquals(1.0, o.convInitScale());
    assertEquals(0.99f, o.bnMomentum());
    assertEquals(1e-3, o.peakLr());
    assertEquals("reference-cnn", o.model());
    assertEquals(0, o.limit());
  }

  @Test
  void recipeOfTheAccuracyTargetParses() {
    TrainReference.Options o = TrainReference.Options.parse(TrainReferenceAccuracyTest.RECIPE);
    assertEquals("cosine", o.lr());
    assertEquals(0.04, o.convInitScale());
    TrainReference.Options p =
        TrainReference.Options.parse("3", "1", "/data", "7", "--label-smoothing=0.1");
    assertEquals(Path.of("/data"), p.dir());
    assertEquals(7L, p.seed());
    assertEquals(0.1, p.labelSmoothing());
    TrainReference.Options q =
        TrainReference.Options.parse("--peak-lr=2e-3", "--model=mobilenet-mini", "--limit=640");
    assertEquals(2e-3, q.peakLr());
    assertEquals("mobilenet-mini", q.model());
    assertEquals(640, q.limit());
  }

  @Test
  void unknownOrValuelessOptionsNameTheKnownOnes() {
    for (String bad : new String[] {"--lr", "--learning-rate=1", "--conv-init=2"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> TrainReference.Options.parse(bad));
      assertTrue(
          e.getMessage().contains(bad) && e.getMessage().contains("--conv-init-scale=S"),
          e.getMessage());
    }
  }
}
