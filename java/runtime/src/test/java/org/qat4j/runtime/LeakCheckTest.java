package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 10,000 create/invoke/close cycles; RSS is reported and only checked against a gross leak (no
 * tight bound).
 */
@Tag("native")
class LeakCheckTest {
  @Test
  void tenThousandCyclesKeepRssFlat() {
    LeakCheck.run(TinyModels.int8Fc().build(), 10, Backend.BUILTIN); // one-time thunks and statics
    // JavaCPP counts objects still awaiting GC too, so allow slack; a per-cycle leak would exceed
    // it 10,000-fold
    long tracked = LeakCheck.javacppBytes();
    long[] rss = LeakCheck.run(TinyModels.int8Fc().build(), 10_000, Backend.BUILTIN);
    System.out.println("10000 cycles BUILTIN, RSS KiB: " + Arrays.toString(rss));
    assertTrue(
        LeakCheck.javacppBytes() <= tracked + 65536,
        "JavaCPP allocations grew: " + tracked + " -> " + LeakCheck.javacppBytes());
    // a leak of the model copy + interpreter (~10 KiB per cycle) would add >100 MiB
    assertTrue(
        rss[10] - rss[0] < 64 * 1024,
        "RSS grew by " + (rss[10] - rss[0]) + " KiB: " + Arrays.toString(rss));
  }

  @Test
  void xnnpackCyclesFreeDelegates() {
    long[] rss = LeakCheck.run(TinyModels.floatFc().build(), 2_000, Backend.XNNPACK);
    System.out.println("2000 cycles XNNPACK, RSS KiB: " + Arrays.toString(rss));
    assertTrue(
        rss[10] - rss[0] < 64 * 1024,
        "RSS grew by " + (rss[10] - rss[0]) + " KiB: " + Arrays.toString(rss));
  }
}
