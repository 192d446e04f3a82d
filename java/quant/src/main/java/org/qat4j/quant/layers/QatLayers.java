package org.qat4j.quant.layers;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qat4j.core.Layer;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.LayerRegistry;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.AllValuesQuantizer;
import org.qat4j.quant.quantizers.FixedRangeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;
import org.qat4j.quant.quantizers.SharedRangeQuantizer;

/**
 * Registers the QAT layer types in {@link LayerRegistry} so {@code ModelIO} can rebuild QAT models:
 * "FakeQuant", "ConvBatchNorm" and "Quantize" + each core type known at registration. Also the JSON
 * form of the built-in quantizer rules (a shared range is saved by its source's name and loaded
 * unlinked). Custom {@link Quantizer} implementations cannot be saved.
 */
public final class QatLayers {
  private static boolean registered;

  private QatLayers() {}

  /** Registers the factories once (idempotent). */
  public static synchronized void register() {
    if (registered) return;
    registered = true;
    LayerRegistry.register("FakeQuant", (n, c) -> new FakeQuantLayer(n, rule(c.get("quantizer"))));
    LayerRegistry.register("ConvBatchNorm", QatLayers::convBatchNorm);
    for (String t : LayerRegistry.types()) {
      if (t.equals("Input")
          || t.startsWith("Quantize")
          || t.equals("FakeQuant")
          || t.equals("ConvBatchNorm")) continue;
      LayerRegistry.register("Quantize" + t, (n, c) -> wrapper(t, n, c));
    }
    for (String t : new String[] {"LSTM", "GRU"})
      LayerRegistry.register("Quantize" + t, (n, c) -> recurrent(t, n, c));
  }

  private static Layer convBatchNorm(String name, JsonObject c) {
    Layer conv =
        LayerRegistry.create(c.get("conv_type").getAsString(), name, c.getAsJsonObject("conv"));
    BatchNormalization bn =
        (BatchNormalization)
            LayerRegistry.create(
                "BatchNormalization", c.get("bn_name").getAsString(), c.getAsJsonObject("bn"));
    return new ConvBatchNorm(
        conv,
        c.get("use_bias").getAsBoolean(),
        bn,
        Activation.valueOf(c.get("activation").getAsString()),
        rule(c.get("weight_quantizer")),
        rule(c.get("output_quantizer")));
  }

  private static Layer wrapper(String innerType, String name, JsonObject c) {
    Layer inner = LayerRegistry.create(innerType, name, c.getAsJsonObject("inner"));
    Map<String, Quantizer> weights = new LinkedHashMap<>();
    for (var e : c.getAsJsonObject("weight_quantizers").entrySet())
      weights.put(e.getKey(), rule(e.getValue()));
    return new QuantizeWrapper(
        inner,
        weights,
        Activation.valueOf(c.get("post_activation").getAsString()),
        rule(c.get("output_quantizer")));
  }

  private static Layer recurrent(String innerType, String name, JsonObject c) {
    return new QuantizedRecurrent(
        LayerRegistry.create(innerType, name, c.getAsJsonObject("inner")),
        rule(c.get("weight_quantizer")),
        rule(c.get("activation_quantizer")));
  }

  /** JSON of a built-in rule (JsonNull for null); throws naming {@code owner} for custom rules. */
  static JsonElement json(Quantizer q, String owner) {
    if (q == null) return JsonNull.INSTANCE;
    JsonObject o = new JsonObject();
    if (q instanceof SharedRangeQuantizer s) {
      o.addProperty("kind", "SharedRange");
      o.addProperty("source", s.sourceName());
      return o;
    }
    o.addProperty("num_bits", q.numBits());
    if (q instanceof FixedRangeQuantizer f) {
      o.addProperty("kind", "FixedRange");
      o.addProperty("min", f.min());
      o.addProperty("max", f.max());
      return o;
    }
    o.addProperty("symmetric", q.symmetric());
    o.addProperty("narrow_range", q.narrowRange());
    if (q instanceof LastValueQuantizer) {
      o.addProperty("kind", "LastValue");
      o.addProperty("per_axis", q.perAxis());
    } else if (q instanceof MovingAverageQuantizer m) {
      o.addProperty("kind", "MovingAverage");
      o.addProperty("decay", m.decay());
    } else if (q instanceof AllValuesQuantizer) {
      o.addProperty("kind", "AllValues");
    } else {
      throw new IllegalArgumentException(
          "layer '" + owner + "': quantizer " + q + " is not a built-in rule and cannot be saved");
    }
    return o;
  }

  /** The rule of {@link #json}, or null for JSON null. */
  static Quantizer rule(JsonElement e) {
    if (e == null || e.isJsonNull()) return null;
    JsonObject o = e.getAsJsonObject();
    String kind = o.get("kind").getAsString();
    if (kind.equals("SharedRange"))
      return SharedRangeQuantizer.unlinked(o.get("source").getAsString());
    int bits = o.get("num_bits").getAsInt();
    return switch (kind) {
      case "FixedRange" ->
          new FixedRangeQuantizer(bits, o.get("min").getAsFloat(), o.get("max").getAsFloat());
      case "LastValue" ->
          new LastValueQuantizer(
              bits,
              o.get("per_axis").getAsBoolean(),
              o.get("symmetric").getAsBoolean(),
              o.get("narrow_range").getAsBoolean());
      case "MovingAverage" ->
          new MovingAverageQuantizer(
              bits,
              o.get("symmetric").getAsBoolean(),
              o.get("narrow_range").getAsBoolean(),
              o.get("decay").getAsFloat());
      case "AllValues" ->
          new AllValuesQuantizer(
              bits, o.get("symmetric").getAsBoolean(), o.get("narrow_range").getAsBoolean());
      default -> throw new IllegalArgumentException("unknown quantizer kind '" + kind + "'");
    };
  }
}
