package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.arith.Platform;
import org.qat4j.runtime.TfliteException;

/**
 * Property test (fixed seed per op kind): single-op int8/uint8 graphs built directly as
 * LoweredGraphs with random shapes, options, weights and quantization parameters, written and run
 * in TFLite on random inputs. BUILTIN equals the simulator (DOUBLE) bit for bit; XNNPACK equals the
 * XNNPACK_F32 simulator bit for bit (RESIZE_BILINEAR and BATCH_MATMUL: not modelled) and the DOUBLE
 * one within 1 LSB, except SAME convolutions with negative implicit padding in one dimension only,
 * which TFLite 2.20's XNNPACK gets wrong ({@link OpGraphs#negativeSamePad}); those are checked on
 * BUILTIN only.
 */
@Tag("native")
class OpParityTest {
  private static final int GRAPHS = Integer.getInteger("qat4j.parity.graphs", 50), SAMPLES = 4;

  /**
   * Kinds whose XNNPACK arithmetic the simulator's XNNPACK_F32 mode does not model: RESIZE_BILINEAR
   * (XNNPACK's own interpolation: up to 2 LSB from BUILTIN measured, printed, not asserted),
   * BATCH_MATMUL and TRANSPOSE_CONV.
   */
  private static final Set<OpKind> XNNPACK_NOT_MODELLED =
      // XNNPACK's int8 BATCH_MATMUL with a constant right operand is 1 LSB off on some values;
      // its uint8 deconvolution (TRANSPOSE_CONV) requantizes its own way (1 LSB on a few values)
      EnumSet.of(OpKind.RESIZE_BILINEAR, OpKind.BATCH_MATMUL, OpKind.TRANSPOSE_CONV);

  /**
   * Kinds whose arm64 BUILTIN arithmetic the simulator's ARM64 mode does not model yet (NEON paths
   * of uint8 RESIZE_BILINEAR and int8 BATCH_MATMUL, measured ≤ 1 LSB on 11/6272 and 2/108 values;
   * uint8 TRANSPOSE_CONV, 1 LSB on 4/2112 values under qemu): on arm64 they are held to 1 LSB and
   * printed, elsewhere to bit-exactness.
   */
  private static final Set<OpKind> ARM64_NOT_MODELLED =
      EnumSet.of(OpKind.RESIZE_BILINEAR, OpKind.BATCH_MATMUL, OpKind.TRANSPOSE_CONV);

  /**
   * TFLite 2.20's XNNPACK delegate claims some TRANSPOSE_CONV graphs and then fails to prepare them
   * ("failed to delegate TRANSPOSE_CONV node"); those are compared on BUILTIN only.
   */
  private static boolean xnnpackCannotPrepare(OpKind kind, TfliteException e) {
    return kind == OpKind.TRANSPOSE_CONV
        && String.valueOf(e.getMessage()).contains("failed to delegate");
  }

  /**
   * Kinds whose arm64 BUILTIN path (NEON) is not measured against a model yet: on arm64 they are
   * run and printed, not asserted (the int8 LSTM measured up to 41 LSB off on some values under
   * qemu).
   */
  private static final Set<OpKind> ARM64_PRINTED_ONLY =
      EnumSet.of(OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM);

  /**
   * Asserts BUILTIN against the DOUBLE simulator for this host; false when the kind's arm64 path is
   * not modelled at all (then the XNNPACK checks, which compare against the same simulator, are
   * skipped too).
   */
  private static boolean builtinChecked(OpKind kind, String what, Parity.Stats builtin) {
    boolean arm64 = Platform.host() == Platform.ARM64;
    if (arm64 && ARM64_PRINTED_ONLY.contains(kind)) {
      System.out.println(what + ": arm64 BUILTIN max " + builtin.maxLsb() + " LSB (not modelled)");
      return false;
    }
    if (arm64 && ARM64_NOT_MODELLED.contains(kind)) {
      assertTrue(builtin.maxLsb() <= 1, what + ": arm64 BUILTIN vs simulator beyond 1 LSB");
      if (builtin.maxLsb() > 0)
        System.out.println(what + ": arm64 BUILTIN 1 LSB off (not modelled)");
    } else Parity.assertExact(builtin, what + ": TFLite BUILTIN vs simulator DOUBLE");
    return true;
  }

  @ParameterizedTest
  @EnumSource(OpKind.class)
  void singleOpGraphsMatchTflite(OpKind kind) {
    SplittableRandom r = new SplittableRandom(1000 + kind.ordinal());
    int xnnpackBug = 0;
    long xnnpackLsb = 0;
    for (int i = 0; i < GRAPHS; i++) {
      OpGraphs.Case c = OpGraphs.create(kind, r);
      LoweredGraph g = c.graph();
      String what = kind + " graph " + i + " " + c.description();
      Parity.Stats[] s;
      try {
        s = Parity.compare(g, SAMPLES, r, c.lo(), c.hi());
      } catch (TfliteException e) {
        if (!xnnpackCannotPrepare(kind, e)) throw new AssertionError(what + ": " + e, e);
        builtinChecked(kind, what, Parity.compareBuiltin(g, SAMPLES, r));
        xnnpackBug++;
        continue;
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(what + ": " + e.getMessage(), e);
      }
      if (!builtinChecked(kind, what, s[0])) continue;
      if (c.xnnpackSameStrideBug()) {
        xnnpackBug++;
        continue;
      }
      if (!XNNPACK_NOT_MODELLED.contains(kind))
        Parity.assertExact(s[2], what + ": TFLite XNNPACK vs simulator XNNPACK_F32");
      xnnpackLsb = Math.max(xnnpackLsb, s[1].maxLsb());
      if (kind != OpKind.RESIZE_BILINEAR)
        assertTrue(
            s[1].maxLsb() <= 1,
            what + ": TFLite XNNPACK vs simulator DOUBLE differs by " + s[1].maxLsb() + " LSB");
    }
    assertTrue(xnnpackBug < GRAPHS / 2, kind + ": too few graphs compared on XNNPACK");
    System.out.println(
        kind + ": BUILTIN exact on " + GRAPHS + " graphs; XNNPACK max " + xnnpackLsb + " LSB");
  }
}
