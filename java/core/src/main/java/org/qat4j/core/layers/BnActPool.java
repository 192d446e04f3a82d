package org.qat4j.core.layers;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.Phases;

/**
 * Execution-time fusion of {@link BatchNormalization} → {@link ReLU} or {@link ReLU6} (→ {@link
 * MaxPool2D}) for training passes on channels-last tensors; the model keeps the separate layers,
 * {@code Model} runs a matching chain through this instead. Forward: one statistics pass over x,
 * then one pass that normalises, activates and pools without writing the BN or activation tensors.
 * Backward: the pooled gradient reaches only arg-max positions where the activation passes, so Σ dy
 * and Σ dy·x̂ are sparse sums, and dx is one pass over x. Same results as the separate layers up to
 * float summation order. Keeps the last input (through the BN layer) and the output.
 */
public final class BnActPool {
  private final BatchNormalization bn;
  private final float cap;
  private final MaxPool2D pool;
  private Tensor y;
  private Tensor dx;
  private int[] argmax;
  private float[] pairIdx;
  private float[] routedGrad;
  private float[] maxInput;
  private boolean vector;
  private int batch;

  private BnActPool(BatchNormalization bn, float cap, MaxPool2D pool) {
    this.bn = bn;
    this.cap = cap;
    this.pool = pool;
  }

  /**
   * The fusion of {@code first} → {@code second} (→ {@code third} when it is a MaxPool2D; may be
   * null), or null when the layers do not form BN → ReLU/ReLU6. The caller checks that each layer
   * feeds only the next one.
   */
  public static BnActPool match(Layer first, Layer second, Layer third) {
    if (!(first instanceof BatchNormalization b)) return null;
    float cap =
        second instanceof ReLU ? Float.POSITIVE_INFINITY : second instanceof ReLU6 ? 6f : Float.NaN;
    if (Float.isNaN(cap)) return null;
    return new BnActPool(b, cap, third instanceof MaxPool2D p ? p : null);
  }

  /** Number of layers fused: 2 (BN, activation) or 3 (with the pool). */
  public int span() {
    return pool == null ? 2 : 3;
  }

  /** Output of the last fused layer for input {@code x} of the BN layer. */
  public Tensor forward(Tensor x, ExecContext ctx) {
    if (pool != null) return forwardPool(x, ctx);
    bn.prepare(x, ctx);
    return forwardAct(x, bn.affine());
  }

  private Tensor forwardAct(Tensor x, float[][] ab) {
    int w = Lanes.rows(bn.channels()) * bn.channels();
    float[] a = Lanes.tile(ab[0], w), b = Lanes.tile(ab[1], w);
    y = Tensor.reuse(y, x.shape());
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    if (Lanes.vector()) {
      ByteBuffer xv = x.bytes(), yv = y.bytes();
      blocks(
          x.size() / bn.channels(), (o, len, v, u) -> BnVector.affine(xv, yv, o, len, a, b, cap));
      return y;
    }
    blocks(
        x.size() / bn.channels(),
        (o, len, v, unused) -> {
          xb.get(o, v, 0, len);
          Lanes.affine(v, len, a, b);
          Lanes.clamp(v, len, cap);
          yb.put(o, v, 0, len);
        });
    return y;
  }

  /** Statistics (BN's chunks), then normalise → act → pool (sample groups): one parallel region. */
  private Tensor forwardPool(Tensor x, ExecContext ctx) {
    int tasks = bn.begin(x, ctx), n = pool.prepare(x);
    batch = n;
    ConvGeometry g = pool.geo;
    y = Tensor.reuse(y, n, g.oh(), g.ow(), g.c());
    int perIn = g.h() * g.w() * g.c(), perOut = g.oh() * g.ow() * g.c();
    boolean pair = Pool2x2.fits(g);
    buffers(n * perOut, pair);
    int chunks = Parallel.grain(n, (long) n * perIn, 1 << 15), groups = groups(n, chunks);
    double[][] part = new double[2 * tasks][g.c()];
    float[][][] ab = new float[2][][]; // {a, b} per channel, then a and b tiled to a sample
    ByteBuffer xv = vector ? x.bytes() : null, yv = vector ? y.bytes() : null;
    float[][] ixm = {pairIdx, maxInput};
    Phases.run(
        Math.max(tasks, chunks),
        tasks,
        ci -> bn.sumRows(x, null, ci, tasks, part),
        () -> {
          bn.finish(part);
          ab[0] = bn.affine();
          if (!vector)
            ab[1] = new float[][] {Lanes.tile(ab[0][0], perIn), Lanes.tile(ab[0][1], perIn)};
          return true;
        },
        groups,
        k -> {
          int lo = (int) ((long) k * n / groups), hi = (int) ((long) (k + 1) * n / groups);
          if (!vector) poolSamples(lo, hi, x.buffer(), y.buffer(), ab[1][0], ab[1][1], pair);
          else
            for (int i = lo; i < hi; i++)
              BnVector.poolSample(xv, i * perIn, g, ab[0], cap, yv, i * perOut, ixm, i * perOut);
        });
    return y;
  }

  /** Sizes the arg-max buffers (and, on the Vector API, the raw maxima) to m pooled values. */
  private void buffers(int m, boolean pair) {
    vector = pair && Lanes.vector();
    if (pair && (pairIdx == null || pairIdx.length != m)) pairIdx = new float[m];
    if (!pair && (argmax == null || argmax.length != m)) argmax = new int[m];
    if (!pair) pairIdx = null;
    if (vector && (maxInput == null || maxInput.length != m)) maxInput = new float[m];
  }

  /** Sample groups of a pass: 8 per worker on the Vector API (a late worker's share moves). */
  private int groups(int n, int chunks) {
    return chunks == 1 ? 1 : Math.min(n, vector ? 8 * chunks : chunks);
  }

  /** The plain forward of samples [lo, hi) (a, b tiled to the sample). */
  private void poolSamples(
      int lo, int hi, FloatBuffer xb, FloatBuffer yb, float[] a, float[] b, boolean pair) {
    ConvGeometry g = pool.geo;
    int perIn = g.h() * g.w() * g.c(), perOut = g.oh() * g.ow() * g.c();
    float[] s = new float[perIn], out = new float[perOut], fa = new float[perOut];
    int[] at = new int[perOut];
    Pool2x2 p2 = pair ? new Pool2x2(g) : null;
    for (int i = lo; i < hi; i++) {
      xb.get(i * perIn, s);
      Lanes.affine(s, perIn, a, b);
      if (pair) {
        p2.forward(s, cap, out, fa);
        System.arraycopy(fa, 0, pairIdx, i * perOut, perOut);
      } else {
        for (int oy = 0; oy < g.oh(); oy++) {
          for (int ox = 0; ox < g.ow(); ox++) pool.maxWindow(s, oy, ox, out, at, 0);
        }
        gateArgmax(out, at, perOut, perIn);
        System.arraycopy(at, 0, argmax, i * perOut, perOut);
      }
      yb.put(i * perOut, out);
    }
  }

  /**
   * Activates the pooled pre-activation maxima; an arg-max whose activation blocks the gradient (≤
   * 0, or ≥ 6 for ReLU6) becomes {@code blocked}, a spare slot past the sample (branch-free: the
   * outcome is random). The activation is monotone, so the first maximal tap before it is the first
   * maximal tap after it wherever the gradient passes.
   */
  private void gateArgmax(float[] out, int[] idx, int len, int blocked) {
    for (int i = 0; i < len; i++) {
      float z = out[i];
      int pass = (-Float.floatToRawIntBits(z) >> 31) & (Float.floatToRawIntBits(z - cap) >> 31);
      idx[i] = (idx[i] & pass) | (blocked & ~pass);
      out[i] = Math.min(Math.max(z, 0f), cap);
    }
  }

  /**
   * dLoss/d(BN input) from dLoss/d(fused output); writes γ and β gradients. Null unless {@code
   * needInput}.
   */
  public Tensor backward(Tensor gy, boolean needInput) {
    return pool == null ? backwardAct(gy, needInput) : backwardPool(gy, needInput);
  }

  private Tensor backwardAct(Tensor gy, boolean needInput) {
    int c = bn.channels(),
        step = Lanes.rows(c),
        w = step * c,
        rows = gy.size() / c,
        chunks = BatchNormalization.chunks(rows);
    float[] mu = Lanes.tile(bn.mean(), w), is = Lanes.tile(bn.invStd(), w);
    FloatBuffer gb = gy.buffer(), yb = y.buffer(), xb = bn.input().buffer();
    boolean vec = Lanes.vector();
    ByteBuffer gv = vec ? gy.bytes() : null, yv = vec ? y.bytes() : null;
    ByteBuffer xv = vec ? bn.input().bytes() : null;
    double[][] part = new double[2 * chunks][c];
    Parallel.forRange(
        rows,
        chunks,
        (lo, hi) -> {
          int ci = Parallel.chunkOf(lo, rows, chunks);
          float[] vg = new float[w],
              vy = new float[w],
              vx = new float[w],
              f1 = new float[w],
              f2 = new float[w];
          float[][] mis = {mu, is, f1, f2};
          for (int r0 = lo, blk = 1; r0 < hi; r0 += step, blk++) {
            int len = Math.min(step, hi - r0) * c;
            if (vec) {
              BnVector.gradSums(gv, yv, cap, xv, r0 * c, len, mis);
            } else {
              gatedGrad(gb, yb, r0 * c, len, vg, vy);
              xb.get(r0 * c, vx, 0, len);
              Lanes.sumsNormalized(vg, vx, len, mu, is, f1, f2);
            }
            if (blk % Lanes.FOLD_EVERY == 0 || r0 + step >= hi) {
              Lanes.fold(f1, part[2 * ci]);
              Lanes.fold(f2, part[2 * ci + 1]);
            }
          }
        });
    float[][] k = coefficients(BatchNormalization.combine(part, c), rows);
    if (!needInput) return null;
    dx = Tensor.reuse(dx, gy.shape());
    FloatBuffer db = dx.buffer();
    float[] p = Lanes.tile(k[0], w), q = Lanes.tile(k[1], w), r = Lanes.tile(k[2], w);
    if (vec) {
      ByteBuffer dv = dx.bytes();
      float[][] pqr = {p, q, r};
      blocks(rows, (o, len, v, u) -> BnVector.combine(gv, yv, cap, xv, dv, o, len, pqr));
      return dx;
    }
    blocks(
        rows,
        (o, len, vg, vx) -> {
          gatedGrad(gb, yb, o, len, vg, vx);
          xb.get(o, vx, 0, len);
          Lanes.combine(vg, vx, len, p, q, r);
          db.put(o, vg, 0, len);
        });
    return dx;
  }

  private void gatedGrad(FloatBuffer gb, FloatBuffer yb, int o, int len, float[] vg, float[] vy) {
    gb.get(o, vg, 0, len);
    yb.get(o, vy, 0, len);
    Lanes.gate(vg, vy, len, cap);
  }

  /**
   * Pool path. Σ dy and Σ dy·x̂ are summed in the pooled domain (each pooled gradient times x̂ at
   * its arg-max: same sums, a quarter of the terms for 2×2); dx then routes the gradient per
   * sample. Both passes are the phases of one parallel region (sums in fixed chunks, dx in groups).
   */
  private Tensor backwardPool(Tensor gy, boolean needInput) {
    ConvGeometry g = pool.geo;
    int n = batch, c = g.c(), perIn = g.h() * g.w() * c, perOut = g.oh() * g.ow() * c;
    int chunks = Parallel.grain(n, (long) n * perIn, 1 << 15), groups = groups(n, chunks);
    double[][] part = new double[2 * chunks][c];
    if (routedGrad == null || routedGrad.length != n * perOut) routedGrad = new float[n * perOut];
    if (needInput) dx = Tensor.reuse(dx, n, g.h(), g.w(), c);
    float[][][] k = new float[1][][];
    ByteBuffer[] xd =
        vector && needInput ? new ByteBuffer[] {bn.input().bytes(), dx.bytes()} : null;
    Phases.run(
        chunks,
        chunks,
        ci ->
            routedSums(
                gy, (int) ((long) ci * n / chunks), (int) ((long) (ci + 1) * n / chunks), part, ci),
        () -> {
          k[0] = coefficients(BatchNormalization.combine(part, c), n * g.h() * g.w());
          return needInput;
        },
        groups,
        t ->
            poolGrad((int) ((long) t * n / groups), (int) ((long) (t + 1) * n / groups), k[0], xd));
    return needInput ? dx : null;
  }

  /** The first backward pass over samples [lo, hi): routed gradients, and chunk ci's two sums. */
  private void routedSums(Tensor gy, int lo, int hi, double[][] part, int ci) {
    ConvGeometry g = pool.geo;
    int c = g.c(), perIn = g.h() * g.w() * c, perOut = g.oh() * g.ow() * c;
    float[] mu = Lanes.tile(bn.mean(), perOut), is = Lanes.tile(bn.invStd(), perOut);
    float[] sx = new float[perIn + 1], gs = new float[perOut], xa = new float[perOut];
    float[] f1 = new float[perOut], f2 = new float[perOut];
    Route route = vector ? null : new Route(perOut);
    ByteBuffer gv = vector ? gy.bytes() : null, yv = vector ? y.bytes() : null;
    float[][] gx = {routedGrad, maxInput}, mis = {mu, is, f1, f2};
    for (int i = lo; i < hi; i++) {
      if (vector) {
        BnVector.routedSums(gv, yv, cap, i * perOut, perOut, gx, i * perOut, mis);
      } else {
        routed(gy, i, perOut, gs, xa);
        System.arraycopy(gs, 0, routedGrad, i * perOut, perOut);
        bn.input().buffer().get(i * perIn, sx, 0, perIn);
        route.load(i).gather(sx, xa);
        Lanes.sumsNormalized(gs, xa, perOut, mu, is, f1, f2);
      }
      if ((i - lo + 1) % Lanes.FOLD_EVERY == 0 || i + 1 == hi) {
        Lanes.fold(f1, part[2 * ci]);
        Lanes.fold(f2, part[2 * ci + 1]);
      }
    }
  }

  /** dx of samples [lo, hi); xd = x and dx as bytes on the Vector API (a view is a native call). */
  private void poolGrad(int lo, int hi, float[][] k, ByteBuffer[] xd) {
    ConvGeometry g = pool.geo;
    int c = g.c(), perIn = g.h() * g.w() * c, perOut = g.oh() * g.ow() * c;
    if (vector) {
      float[][] gi = {routedGrad, pairIdx};
      for (int i = lo; i < hi; i++)
        BnVector.poolGradSample(xd[0], xd[1], i * perIn, g, k, gi, i * perOut);
      return;
    }
    float[] p = Lanes.tile(k[0], perIn), q = Lanes.tile(k[1], perIn), r = Lanes.tile(k[2], perIn);
    float[] d = new float[perIn + 1], sx = new float[perIn], gs = new float[perOut];
    Route route = new Route(perOut);
    for (int i = lo; i < hi; i++) {
      // The first pass's gated gradient and arg-max: no second read of dy and y, no gate.
      System.arraycopy(routedGrad, i * perOut, gs, 0, perOut);
      Arrays.fill(d, 0f);
      route.load(i).scatter(gs, d);
      bn.input().buffer().get(i * perIn, sx);
      Lanes.combine(d, sx, perIn, p, q, r);
      dx.buffer().put(i * perIn, d, 0, perIn);
    }
  }

  /**
   * Sample i's pooled gradient, zero where the activation blocks it ({@code ys} is scratch). The
   * 2×2 path leaves its arg-max ungated: the activation's derivative comes from the output.
   */
  private void routed(Tensor gy, int i, int perOut, float[] gs, float[] ys) {
    gy.buffer().get(i * perOut, gs);
    y.buffer().get(i * perOut, ys);
    Lanes.gate(gs, ys, perOut, cap);
  }

  /**
   * One sample's arg-max indices (worker scratch): the 2×2 path's float indices, cast while
   * gathering and scattering, or the general path's ints (blocked ones at the spare slot perIn).
   */
  private final class Route {
    private final float[] fa;
    private final int[] ia;

    Route(int perOut) {
      fa = pairIdx != null ? new float[perOut] : null;
      ia = pairIdx != null ? null : new int[perOut];
    }

    Route load(int i) {
      if (fa != null) System.arraycopy(pairIdx, i * fa.length, fa, 0, fa.length);
      else System.arraycopy(argmax, i * ia.length, ia, 0, ia.length);
      return this;
    }

    /** xa[o] = sx[arg-max of o]. */
    void gather(float[] sx, float[] xa) {
      if (fa != null) for (int o = 0; o < fa.length; o++) xa[o] = sx[(int) fa[o]];
      else for (int o = 0; o < ia.length; o++) xa[o] = sx[ia[o]];
    }

    /** d[arg-max of o] += gs[o]. */
    void scatter(float[] gs, float[] d) {
      if (fa != null) for (int o = 0; o < fa.length; o++) d[(int) fa[o]] += gs[o];
      else for (int o = 0; o < ia.length; o++) d[ia[o]] += gs[o];
    }
  }

  private float[][] coefficients(double[][] sums, int rows) {
    return bn.backwardCoefficients(sums[0], sums[1], rows);
  }

  /** Block body over elements [o, o + len) with two scratch arrays of the block size. */
  @FunctionalInterface
  private interface Block {
    void run(int o, int len, float[] v, float[] u);
  }

  /** Runs {@code body} over [rows, C] in blocks of whole rows, parallel row chunks. */
  private void blocks(int rows, Block body) {
    int c = bn.channels();
    int step = Lanes.rows(c);
    Parallel.forRange(
        rows,
        BatchNormalization.chunks(rows),
        (lo, hi) -> {
          float[] v = new float[step * c], u = new float[step * c];
          for (int r0 = lo; r0 < hi; r0 += step)
            body.run(r0 * c, Math.min(step, hi - r0) * c, v, u);
        });
  }
}
