package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.LoweredGraph;

/**
 * Property: for any bytes, {@link TfliteReader#read} returns or throws {@link
 * ModelFormatException}, nothing else; and whatever it accepts can be reported, lowered and
 * re-written without any other exception. Seeds are fixed. Long run (default 200,000 cases; count
 * via -Dqat4j.fuzzCases): {@code mvn -o -Pall-tests -pl java/tflite -am test
 * -Dtest='ReaderFuzzTest#longRun' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ReaderFuzzTest {
  private static final int[] INTERESTING = {
    0,
    1,
    -1,
    2,
    3,
    4,
    8,
    16,
    127,
    128,
    255,
    0x7fff,
    0xffff,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    0x40000000,
    -4,
    -8
  };

  @Test
  void mutatedTruncatedAndRandomBytes() {
    assertTrue(
        fuzz(20260426L, 3000) > 0,
        "no mutant was accepted: the fuzzer only explores the front door");
  }

  @Tag("slow")
  @Test
  void longRun() {
    fuzz(7L, Integer.getInteger("qat4j.fuzzCases", 200_000));
  }

  static List<byte[]> seeds() {
    List<byte[]> s = new ArrayList<>();
    s.add(TfliteWriter.write(Graphs.int8()));
    s.add(TfliteWriter.write(Graphs.float32()));
    s.add(new RawModel().build());
    for (String f : new String[] {SharedModels.MOBILENET, SharedModels.MOBILENET_EDGETPU}) {
      Path shared = Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"), f);
      try {
        if (Files.isRegularFile(shared)) s.add(Files.readAllBytes(shared));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return s;
  }

  /** Runs {@code cases} fuzz cases; returns how many inputs were accepted. */
  static int fuzz(long seed, int cases) {
    SplittableRandom r = new SplittableRandom(seed);
    List<byte[]> seeds = seeds();
    int accepted = 0;
    for (int c = 0; c < cases; c++) {
      byte[] input = c % 10 == 9 ? random(r) : mutate(seeds.get(r.nextInt(seeds.size())), r);
      if (check(input, seed, c)) accepted++;
    }
    return accepted;
  }

  private static boolean check(byte[] input, long seed, int c) {
    TfliteModelInfo m;
    try {
      m = TfliteReader.read(input);
    } catch (ModelFormatException e) {
      return false;
    } catch (Throwable t) {
      throw new AssertionError("seed " + seed + " case " + c + ": reader leaked " + t, t);
    }
    try {
      TfliteInspector.report(m);
      TfliteInspector.toMap(m);
      LoweredGraph g = m.toLoweredGraph();
      TfliteWriter.write(g);
    } catch (ModelFormatException e) {
      // a clean refusal (unsupported op or type) is fine
    } catch (Throwable t) {
      fail("seed " + seed + " case " + c + ": accepted model leaked " + t, t);
    }
    return true;
  }

  private static byte[] random(SplittableRandom r) {
    byte[] b = new byte[r.nextInt(600)];
    r.nextBytes(b);
    if (b.length >= 8 && r.nextBoolean()) {
      b[4] = 'T';
      b[5] = 'F';
      b[6] = 'L';
      b[7] = '3';
    }
    return b;
  }

  private static byte[] mutate(byte[] seed, SplittableRandom r) {
    // mutate within the table region: the shared models' tables sit in their first 32 KiB, the
    // rest is weight/payload data whose values no check can judge
    byte[] b = seed.clone();
    int span = Math.min(b.length, 32_768);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits; e++) {
      switch (r.nextInt(4)) {
        case 0 -> b[r.nextInt(span)] = (byte) r.nextInt(256);
        case 1 -> b[r.nextInt(span)] ^= (byte) (1 << r.nextInt(8));
        case 2 -> {
          int at = r.nextInt(span / 4) * 4;
          if (at + 4 <= b.length) bb.putInt(at, INTERESTING[r.nextInt(INTERESTING.length)]);
        }
        default -> {
          int at = r.nextInt(span / 2) * 2;
          if (at + 2 <= b.length)
            bb.putShort(at, (short) INTERESTING[r.nextInt(INTERESTING.length)]);
        }
      }
    }
    if (r.nextInt(20) == 0) b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
    return b;
  }
}
