package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * {@link BnFold}'s passes on the Vector API ({@link BnFoldVector}), used only when {@code
 * VectorApi.on()}. Each parallel chunk of rows (the plain path's chunks) runs in groups of {@link
 * BnFold#FOLD_EVERY} blocks of whole rows (the plain path's blocks): exactly the blocks whose lane
 * sums the plain path adds in float before folding them into double. The group is the unit of a
 * column-by-column kernel, so each lane sums the same values in the same order, and the folds,
 * chunk partials and their combination are the plain path's: the results are bit-identical.
 */
final class BnFoldGroups {
  private BnFoldGroups() {}

  /** One group of chunk k: nb blocks of width w from base, the last one {@code last} floats. */
  @FunctionalInterface
  private interface Group {
    void run(int k, int base, int w, int nb, int last);
  }

  /** Runs {@code body} over [rows, c] in the plain path's chunks, one group at a time. */
  private static void groups(int rows, int c, Group body) {
    int step = BnFold.step(c), span = step * BnFold.FOLD_EVERY, chunks = chunks(rows, c);
    Parallel.forRange(
        rows,
        chunks,
        (r0, r1) -> {
          int k = Parallel.chunkOf(r0, rows, chunks);
          for (int r = r0; r < r1; r += span) {
            int n = Math.min(span, r1 - r), nb = (n + step - 1) / step;
            body.run(k, r * c, step * c, nb, (n - (nb - 1) * step) * c);
          }
        });
  }

  /** The plain path's chunk count for [rows, c]. */
  private static int chunks(int rows, int c) {
    return Parallel.grain(rows, (long) rows * c, BnFold.MIN_WORK);
  }

  static BnFold.Stats stats(Tensor z, int c, boolean moments, boolean range) {
    int rows = z.size() / c, chunks = chunks(rows, c), w = BnFold.step(c) * c;
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    float[][][] acc = new float[chunks][][];
    for (int k = 0; k < chunks; k++)
      acc[k] =
          new float[][] {
            new float[w],
            new float[w],
            BnFold.filled(w, Float.POSITIVE_INFINITY),
            BnFold.filled(w, Float.NEGATIVE_INFINITY)
          };
    ByteBuffer zv = BnFoldVector.views(z)[0];
    groups(
        rows,
        c,
        (k, base, width, nb, last) -> {
          BnFoldVector.stats(zv, base, width, nb, last, acc[k], moments, range);
          if (moments) {
            BnFold.fold(acc[k][0], s1[k]);
            BnFold.fold(acc[k][1], s2[k]);
          }
        });
    double[][] sums = BnFold.combine(s1, s2, c);
    float[] min = new float[c], max = new float[c];
    for (int k = 0; k < chunks; k++) {
      float[] lo = new float[c], hi = new float[c];
      BnFold.lanes(acc[k][2], lo, true);
      BnFold.lanes(acc[k][3], hi, false);
      for (int ch = 0; ch < c; ch++) {
        min[ch] = k == 0 ? lo[ch] : Math.min(min[ch], lo[ch]);
        max[ch] = k == 0 ? hi[ch] : Math.max(max[ch], hi[ch]);
      }
    }
    return new BnFold.Stats(sums[0], sums[1], min, max);
  }

  static void affineActQuant(
      Tensor z, Tensor out, float[] mul, float[] add, Activation act, FakeQuant.Nudged n) {
    int c = add.length, w = BnFold.step(c) * c;
    float top = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY,
        bottom = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
    float[] q = {bottom, top, n.nudgedMin(), n.nudgedMax(), n.scale(), n.qzero()};
    float[][] t = {BnFold.tile(mul != null ? mul : BnFold.ones(c), w), BnFold.tile(add, w)};
    ByteBuffer[] v = BnFoldVector.views(z, out);
    groups(
        z.size() / c,
        c,
        (k, base, width, nb, last) ->
            BnFoldVector.affineActQuant(v[0], v[1], base, width, nb, last, t, q));
  }

  static double[][] gradSums(
      Tensor g, Tensor z, float[] mean, float[] mul, float[] add, BnFold.Window w, Tensor gated) {
    int c = mean.length, rows = g.size() / c, chunks = chunks(rows, c), width = BnFold.step(c) * c;
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    float[][] t = {
      BnFold.tile(mul != null ? mul : BnFold.ones(c), width),
      BnFold.tile(add, width),
      BnFold.tile(mean, width)
    };
    float[][][] acc = new float[chunks][2][width];
    ByteBuffer[] v = BnFoldVector.views(g, z, gated);
    groups(
        rows,
        c,
        (k, base, wd, nb, last) -> {
          BnFoldVector.gradSums(v, base, wd, nb, last, t, w, acc[k]);
          BnFold.fold(acc[k][0], s1[k]);
          BnFold.fold(acc[k][1], s2[k]);
        });
    return BnFold.combine(s1, s2, c);
  }

  /** pqr = {mean, p, q, r}: as {@link BnFold#bnInputGrad}. */
  static void bnInputGrad(
      Tensor g, Tensor z, float[][] pqr, float[] mul, float[] add, BnFold.Window w, Tensor dz) {
    int c = add.length, width = BnFold.step(c) * c;
    float[][] t = new float[6][];
    t[0] = BnFold.tile(mul != null ? mul : BnFold.ones(c), width);
    t[1] = BnFold.tile(add, width);
    for (int i = 0; i < 4; i++) t[2 + i] = BnFold.tile(pqr[i], width);
    ByteBuffer[] v = BnFoldVector.views(g, z, dz);
    groups(
        g.size() / c,
        c,
        (k, base, wd, nb, last) -> BnFoldVector.inputGrad(v, base, wd, nb, last, t, w));
  }

  static double[] maskAndSum(Tensor g, Tensor z, float[] add, BnFold.Window w, Tensor dz, int c) {
    int rows = g.size() / c, chunks = chunks(rows, c), width = BnFold.step(c) * c;
    double[][] s1 = new double[chunks][c];
    float[][] t = {BnFold.tile(BnFold.ones(c), width), BnFold.tile(add, width)};
    float[][] acc = new float[chunks][width];
    ByteBuffer[] v = BnFoldVector.views(g, w == null ? null : z, dz);
    groups(
        rows,
        c,
        (k, base, wd, nb, last) -> {
          BnFoldVector.maskAndSum(v, base, wd, nb, last, t, w, acc[k]);
          BnFold.fold(acc[k], s1[k]);
        });
    return BnFold.combine(s1, new double[chunks][c], c)[0];
  }
}
