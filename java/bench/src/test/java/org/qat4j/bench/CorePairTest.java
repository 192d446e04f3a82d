package org.qat4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link CorePair}'s arguments and output (never timed: only that each figure is there). */
class CorePairTest {
  private static final Pattern LINE =
      Pattern.compile(
          "round trip (\\d+) ns; read 2 MB written by the other thread (\\d+) us, by this one (\\d+) us");

  @Test
  void badArgumentsAreNamed() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> CorePair.main(new String[] {"--samples=0"}));
    assertTrue(e.getMessage().contains("--samples"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> CorePair.main(new String[] {"--trips=-3"}));
    assertTrue(e.getMessage().contains("--trips"), e.getMessage());
  }

  @Test
  void printsOneLinePerSampleAndStopsItsThread() throws InterruptedException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CorePair.print(2, 100, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(2, lines.length, String.join("\n", lines));
    for (String l : lines) {
      Matcher m = LINE.matcher(l);
      assertTrue(m.matches(), l);
      assertTrue(Long.parseLong(m.group(1)) > 0, l);
    }
    for (Thread t : Thread.getAllStackTraces().keySet())
      if (t.getName().equals("qat4j-corepair")) t.join(10_000);
    boolean alive =
        Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("qat4j-corepair"));
    assertFalse(alive, "the probe's thread outlived the run");
  }
}
