package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Set;

/** Human renderings of the results that have more than key/value fields (see {@link Table}). */
final class Human {
  /** Never shown to people: the envelope, and arrays that get their own table or a chart. */
  static final Set<String> HIDDEN = Set.of("ok", "command", "curve", "samples_ms");

  private Human() {}

  /** train/quantize: one row per epoch, then the remaining fields. */
  static void training(JsonObject r, PrintWriter out) {
    JsonArray loss = r.getAsJsonArray("train_loss");
    JsonArray acc = r.getAsJsonArray("train_accuracy");
    JsonArray secs = r.getAsJsonArray("epoch_seconds");
    JsonArray val = r.has("val_accuracy") ? r.getAsJsonArray("val_accuracy") : null;
    Table t = new Table("epoch", "train loss", "train acc", "val acc", "seconds");
    for (int e = 0; e < loss.size(); e++) {
      t.row(
          Integer.toString(e + 1),
          Table.num(number(loss.get(e)), 4),
          Table.pct(number(acc.get(e))),
          val == null ? "-" : Table.pct(number(val.get(e))),
          Table.num(number(secs.get(e)), 1));
    }
    t.print(out);
    if (val != null && r.has("bn_reestimated_images"))
      out.println(
          "(val acc uses the running BatchNorm statistics; the test accuracy below uses re-estimated ones)");
    out.println();
    Set<String> skip = new HashSet<>(HIDDEN);
    skip.addAll(
        Set.of("train_loss", "train_accuracy", "epoch_seconds", "val_accuracy", "val_loss"));
    Table.keyValues(r, skip, out);
  }

  /** verify: agreement per comparison, then the other fields, then per-layer SQNR. */
  static void verify(JsonObject r, PrintWriter out) {
    Table t = new Table("TFLite vs qat4j simulator", "bit-exact", "max LSB");
    comparison(t, r, "BUILTIN", "bit_exact_fraction_builtin", "max_lsb_builtin");
    comparison(t, r, "XNNPACK", "bit_exact_fraction_xnnpack", "max_lsb_xnnpack");
    comparison(t, r, "XNNPACK (F32 rounding)", "bit_exact_fraction_xnnpack_f32_simulator", "");
    t.print(out);
    out.println();
    Set<String> skip = new HashSet<>(HIDDEN);
    skip.addAll(
        Set.of(
            "bit_exact_fraction_builtin",
            "max_lsb_builtin",
            "bit_exact_fraction_xnnpack",
            "max_lsb_xnnpack",
            "bit_exact_fraction_xnnpack_f32_simulator",
            "per_layer_sqnr"));
    Table.keyValues(r, skip, out);
    if (r.has("per_layer_sqnr") && r.getAsJsonArray("per_layer_sqnr").size() > 0) {
      out.println();
      Table s = new Table("layer", "SQNR dB");
      for (JsonElement e : r.getAsJsonArray("per_layer_sqnr")) {
        JsonObject o = e.getAsJsonObject();
        s.row(o.get("name").getAsString(), Table.num(number(o.get("sqnr_db")), 1));
      }
      s.print(out);
    }
  }

  private static void comparison(Table t, JsonObject r, String name, String frac, String lsb) {
    if (!r.has(frac)) return;
    t.row(
        name,
        Table.pct(number(r.get(frac))),
        r.has(lsb) ? Table.count(r.get(lsb).getAsLong()) : "-");
  }

  private static double number(JsonElement e) {
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }
}
