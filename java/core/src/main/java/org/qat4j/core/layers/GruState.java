package org.qat4j.core.layers;

import org.qat4j.core.Tensor;

/**
 * What one {@link GRU} forward pass keeps for its backward pass, with the per-step element-wise
 * work: pre-activations, gates and states of every step, [N, T, ·] row-major.
 */
final class GruState {
  final int n;
  final int t;
  final int u;
  final Tensor xz; // x·W, [N, T, 3U]
  final Tensor rz; // recurrent parts, [N, T, 3U]; the h part carries its bias with reset_after
  final Tensor h; // [N, T+1, U], h_0 = 0
  final Tensor rh; // r·h_{s}, [N, T, U] (reset_after = false)
  final float[] z;
  final float[] r;
  final float[] hh;

  GruState(int n, int t, int u) {
    this.n = n;
    this.t = t;
    this.u = u;
    xz = Tensor.zeros(n, t, 3 * u);
    rz = Tensor.zeros(n, t, 3 * u);
    h = Tensor.zeros(n, t + 1, u);
    rh = Tensor.zeros(n, t, u);
    z = new float[n * t * u];
    r = new float[n * t * u];
    hh = new float[n * t * u];
  }

  boolean fits(int n2, int t2) {
    return n == n2 && t == t2;
  }

  /**
   * Step s: the z and r gates (and r·h without reset_after), or with {@code candidate} the
   * candidate and h_{s+1}.
   */
  void gates(
      int s, float[] bIn, float[] bRec, Recurrence.Gate gate, boolean after, boolean candidate) {
    var xb = xz.buffer();
    var rb = rz.buffer();
    var hb = h.buffer();
    var rhb = rh.buffer();
    for (int i = 0; i < n; i++) {
      int go = (i * t + s) * 3 * u, so = (i * t + s) * u, ho = (i * (t + 1) + s) * u;
      for (int j = 0; j < u; j++) {
        int k = so + j;
        if (!candidate) {
          z[k] = gate.apply(xb.get(go + j) + bIn[j] + rb.get(go + j) + bRec[j]);
          r[k] = gate.apply(xb.get(go + u + j) + bIn[u + j] + rb.get(go + u + j) + bRec[u + j]);
          if (!after) rhb.put(k, r[k] * hb.get(ho + j));
          continue;
        }
        float rec = rb.get(go + 2 * u + j);
        if (after) {
          rec += bRec[2 * u + j];
          rb.put(go + 2 * u + j, rec);
          rec *= r[k];
        }
        hh[k] = Recurrence.tanh(xb.get(go + 2 * u + j) + bIn[2 * u + j] + rec);
        hb.put(ho + u + j, z[k] * hb.get(ho + j) + (1f - z[k]) * hh[k]);
      }
    }
  }

  /** Gradient buffers of one backward pass. */
  final class Grads {
    final Tensor dXz = Tensor.zeros(n, t, 3 * u);
    final Tensor dRz = Tensor.zeros(n, t, 3 * u);
    final Tensor dh = Tensor.zeros(n, u);
    final Tensor dRh = Tensor.zeros(n, u);

    /** dh += dLoss/dh_{s+1} from the output (every step, or only the last). */
    void addOutput(Tensor gy, boolean sequences, int s) {
      if (!sequences && s != t - 1) return;
      var gb = gy.buffer();
      var db = dh.buffer();
      for (int i = 0; i < n; i++)
        for (int j = 0; j < u; j++) {
          int from = sequences ? (i * t + s) * u + j : i * u + j;
          db.put(i * u + j, db.get(i * u + j) + gb.get(from));
        }
    }
  }

  Grads grads() {
    return new Grads();
  }

  /**
   * Step s: gradients of the pre-activations from dh (= dLoss/dh_{s+1}); dh becomes its direct part
   * z·dh (the caller adds the recurrent part).
   */
  void stepGrads(Grads d, int s, Recurrence.Gate gate, boolean after) {
    var hb = h.buffer();
    var db = d.dh.buffer();
    var xg = d.dXz.buffer();
    var rg = d.dRz.buffer();
    var rb = rz.buffer();
    for (int i = 0; i < n; i++) {
      int go = (i * t + s) * 3 * u, so = (i * t + s) * u, ho = (i * (t + 1) + s) * u;
      for (int j = 0; j < u; j++) {
        int k = so + j;
        float dhv = db.get(i * u + j), hp = hb.get(ho + j);
        float daz = dhv * (hp - hh[k]) * gate.slope(z[k]);
        float dah = dhv * (1f - z[k]) * (1f - hh[k] * hh[k]);
        xg.put(go + j, daz);
        rg.put(go + j, daz);
        xg.put(go + 2 * u + j, dah);
        if (after) {
          float dar = dah * rb.get(go + 2 * u + j) * gate.slope(r[k]);
          xg.put(go + u + j, dar);
          rg.put(go + u + j, dar);
          rg.put(go + 2 * u + j, dah * r[k]);
        } else rg.put(go + 2 * u + j, dah);
        db.put(i * u + j, dhv * z[k]);
      }
    }
  }

  /** Without reset_after: the r gate's gradients from dRh = dLoss/d(r·h); dh += dRh·r. */
  void resetGrads(Grads d, int s, Recurrence.Gate gate) {
    var hb = h.buffer();
    var db = d.dh.buffer();
    var xg = d.dXz.buffer();
    var rg = d.dRz.buffer();
    var qb = d.dRh.buffer();
    for (int i = 0; i < n; i++) {
      int go = (i * t + s) * 3 * u, so = (i * t + s) * u, ho = (i * (t + 1) + s) * u;
      for (int j = 0; j < u; j++) {
        int k = so + j;
        float q = qb.get(i * u + j);
        float dar = q * hb.get(ho + j) * gate.slope(r[k]);
        xg.put(go + u + j, dar);
        rg.put(go + u + j, dar);
        db.put(i * u + j, db.get(i * u + j) + q * r[k]);
      }
    }
  }
}
