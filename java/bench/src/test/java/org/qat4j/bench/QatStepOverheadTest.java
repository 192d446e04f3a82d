package org.qat4j.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.internal.Parallel;

/**
 * {@link QatStepOverhead}'s arguments (never timed): a negative warm-up or an unknown --only is
 * named, and a tiny run reports its warm-up and both steps.
 */
class QatStepOverheadTest {
  private final int threads = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(threads);
  }

  @Test
  void badArgumentsAreNamed() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> QatStepOverhead.main(new String[] {"--warmup=-1"}));
    assertTrue(e.getMessage().contains("--warmup"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> QatStepOverhead.main(new String[] {"--only=int8", "--warmup=0"}));
    assertTrue(e.getMessage().contains("--only"), e.getMessage());
  }

  @Tag("native")
  @Test
  void tinyRunReportsItsWarmupAndBothSteps() {
    PrintStream out = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      QatStepOverhead.main(
          new String[] {"--threads=1", "--batch=2", "--rounds=1", "--block=2", "--warmup=1"});
    } finally {
      System.setOut(out);
    }
    String s = buf.toString(StandardCharsets.UTF_8);
    assertTrue(s.contains("steps=2 warmup=1"), s);
    assertTrue(s.contains("float step: wall") && s.contains("QAT step:   wall"), s);
    assertTrue(s.contains("QAT / float:"), s);
  }
}
