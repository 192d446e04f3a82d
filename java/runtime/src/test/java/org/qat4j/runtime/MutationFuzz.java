package org.qat4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Fixed-seed mutation fuzzing of the load/create/invoke path. A JVM crash ends the process (the
 * last printed iteration locates it); every other outcome is counted. Usage: {@code MutationFuzz
 * <count> <seed> <model.tflite>...}.
 */
public final class MutationFuzz {
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
    256,
    0x7fff,
    0xffff,
    0x7fffffff,
    Integer.MIN_VALUE,
    1 << 20,
    1 << 30
  };

  private MutationFuzz() {}

  /**
   * Outcome counts of a run; {@code unexpected} holds exceptions other than the documented ones.
   */
  public record Result(long runs, Map<String, Long> outcomes, List<String> unexpected) {}

  public static Result run(List<byte[]> seeds, long count, long seed, boolean progress) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, Long> outcomes = new TreeMap<>();
    List<String> unexpected = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      byte[] base = seeds.get(rnd.nextInt(seeds.size()));
      byte[] m = mutate(base, rnd);
      if (progress && i % 2_000 == 0) {
        System.out.println("iteration " + i + " " + outcomes);
      }
      outcomes.merge(runOne(m, unexpected, i), 1L, Long::sum);
    }
    return new Result(count, outcomes, unexpected);
  }

  private static String runOne(byte[] bytes, List<String> unexpected, long i) {
    try (TfliteModel model = TfliteModel.fromBytes(bytes)) {
      try (Interpreter it =
          Interpreter.create(model, Interpreter.Options.builder().threads(1).build())) {
        for (int k = 0; k < it.inputCount(); k++) {
          TensorView info = it.input(k);
          if (info.numBytes() <= (1 << 24)) {
            it.input(k).write(java.nio.ByteBuffer.allocate((int) info.numBytes()));
          }
        }
        it.invoke();
        for (int k = 0; k < it.outputCount(); k++) {
          if (it.output(k).numBytes() <= (1 << 24)) {
            it.output(k).readBuffer();
          }
        }
        return "ran";
      }
    } catch (TfliteException e) {
      return "rejected: " + e.step();
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return "rejected: java check";
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
      if (unexpected.size() < 20) {
        unexpected.add("#" + i + ": " + e);
      }
      return "unexpected";
    }
  }

  static byte[] mutate(byte[] base, SplittableRandom rnd) {
    byte[] m = base.clone();
    int kind = rnd.nextInt(4);
    int edits = 1 + rnd.nextInt(4);
    // most structure lives in the first bytes and the tail; bias positions there
    for (int e = 0; e < edits; e++) {
      int pos = position(m.length, rnd);
      if (kind == 0) {
        m[pos] = (byte) rnd.nextInt(256);
      } else if (kind == 1) {
        m[pos] ^= (byte) (1 << rnd.nextInt(8));
      } else if (kind == 2 && pos + 4 <= m.length) {
        int v = INTERESTING[rnd.nextInt(INTERESTING.length)];
        m[pos] = (byte) v;
        m[pos + 1] = (byte) (v >> 8);
        m[pos + 2] = (byte) (v >> 16);
        m[pos + 3] = (byte) (v >> 24);
      }
    }
    if (kind == 3) {
      return java.util.Arrays.copyOf(
          m, Math.max(0, m.length - 1 - rnd.nextInt(Math.max(1, m.length / 2))));
    }
    return m;
  }

  private static int position(int len, SplittableRandom rnd) {
    if (len > 4096 && rnd.nextInt(4) != 0) {
      return rnd.nextBoolean() ? rnd.nextInt(2048) : len - 1 - rnd.nextInt(Math.min(len, 30_000));
    }
    return rnd.nextInt(len);
  }

  public static void main(String[] args) throws Exception {
    long count = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    List<byte[]> seeds = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      seeds.add(Files.readAllBytes(Path.of(args[i])));
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("usage: MutationFuzz <count> <seed> <model.tflite>...");
    }
    long t0 = System.nanoTime();
    Result r = run(seeds, count, seed, true);
    System.out.printf(
        "fuzz: %d mutated models, seed %d, 0 JVM crashes (process alive), %.1f s%n",
        r.runs(), seed, (System.nanoTime() - t0) / 1e9);
    System.out.println("outcomes: " + r.outcomes());
    System.out.println("unexpected exceptions: " + r.unexpected());
    System.exit(r.unexpected().isEmpty() ? 0 : 1);
  }
}
