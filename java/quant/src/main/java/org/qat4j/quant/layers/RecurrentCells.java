package org.qat4j.quant.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.core.Layer;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.LSTM;
import org.qat4j.quant.layers.CellOps.Cols;
import org.qat4j.quant.layers.CellOps.Matrix;

/**
 * The one op structure of Keras's LSTM and GRU unrolled over their steps (zero initial state), for
 * any {@link CellOps}: LSTM z = h·R + (x·W + b), split into i, f, g, o; c' = f·c + i·g; h' =
 * o·tanh(c'). GRU: z and r from x·W + h·R (+ the recurrent bias with reset_after), the candidate
 * tanh(x·W_h + r ⊙ (h·R_h + b_h)) or tanh(x·W_h + (r ⊙ h)·R_h), h' = hh + z ⊙ (h − hh).
 */
public final class RecurrentCells {
  private RecurrentCells() {}

  /** Walks {@code layer} (an LSTM or GRU) through {@code o}. */
  public static <T> void walk(Layer layer, CellOps<T> o) {
    if (layer instanceof LSTM l) lstm(l, o);
    else if (layer instanceof GRU g) gru(g, o);
    else
      throw new IllegalArgumentException(
          "layer '" + layer.name() + "' (" + layer.type() + ") is not a recurrent cell");
  }

  private static <T> void lstm(LSTM l, CellOps<T> o) {
    int u = l.units();
    boolean hard = l.usesHardSigmoid();
    List<T> xw =
        o.inputPart("input_part", new Cols(Matrix.KERNEL, 0, 4 * u), l.bias().value().toArray());
    T h = o.zeros("h", u), c = o.zeros("c", u);
    List<T> hs = new ArrayList<>();
    for (int k = 0; k < xw.size(); k++) {
      o.step(k);
      T hr = o.fc("recurrent_part", h, new Cols(Matrix.RECURRENT, 0, 4 * u), null);
      List<T> g = o.split(o.add("gates", hr, xw.get(k)), 4);
      T i = gate(o, hard, "i", g.get(0));
      T f = gate(o, hard, "f", g.get(1));
      T cand = o.tanh("candidate", g.get(2));
      T og = gate(o, hard, "o", g.get(3));
      c = o.add("c", o.mul("forget_product", f, c), o.mul("input_product", i, cand));
      h = o.mul("h", og, o.tanh("cell_tanh", c));
      hs.add(h);
    }
    o.output(hs, l.returnsSequences());
  }

  private static <T> void gru(GRU l, CellOps<T> o) {
    int u = l.units();
    boolean after = l.resetsAfter(), hard = l.usesHardSigmoid();
    float[] bias = l.bias().value().toArray();
    List<T> xw =
        o.inputPart("input_part", new Cols(Matrix.KERNEL, 0, 3 * u), Arrays.copyOf(bias, 3 * u));
    Cols rec = new Cols(Matrix.RECURRENT, 0, after ? 3 * u : 2 * u);
    float[] recBias = after ? Arrays.copyOfRange(bias, 3 * u, 6 * u) : null;
    T h = o.zeros("h", u);
    List<T> hs = new ArrayList<>();
    for (int k = 0; k < xw.size(); k++) {
      o.step(k);
      List<T> xs = o.split(xw.get(k), 3);
      List<T> rs = o.split(o.fc("recurrent_part", h, rec, recBias), after ? 3 : 2);
      T z = gate(o, hard, "z", o.add("z_pre", xs.get(0), rs.get(0)));
      T r = gate(o, hard, "r", o.add("r_pre", xs.get(1), rs.get(1)));
      T inner =
          after
              ? o.mul("reset_product", r, rs.get(2))
              : o.fc(
                  "reset_part",
                  o.mul("reset_hidden", r, h),
                  new Cols(Matrix.RECURRENT, 2 * u, u),
                  null);
      T hh = o.tanh("candidate", o.add("candidate_pre", xs.get(2), inner));
      T zd = o.mul("update_product", z, o.sub("difference", h, hh));
      h = o.add("h", hh, zd);
      hs.add(h);
    }
    o.output(hs, l.returnsSequences());
  }

  /** The gate activation: the sigmoid, or Keras 2's hard_sigmoid. */
  private static <T> T gate(CellOps<T> o, boolean hard, String role, T z) {
    return hard ? o.hardSigmoid(role + "_scaled", role, z) : o.logistic(role, z);
  }
}
