package org.qat4j.core.layers;

import com.google.gson.JsonObject;

/**
 * What {@link Conv2D} and {@link Conv2DTranspose} share beyond {@link ConvBase}: a number of output
 * channels ("filters"), Glorot-uniform kernels by default, and the Keras config they read and
 * write.
 */
abstract class FilterConv<T extends FilterConv<T>> extends ConvBase<T> {
  /** Makes a layer of the concrete type: name, filters, kh, kw. */
  @FunctionalInterface
  interface Factory<L> {
    L make(String name, int filters, int kh, int kw);
  }

  final int filters;

  FilterConv(String name, int filters, int kh, int kw) {
    super(name, kh, kw);
    ConvGeometry.positive(name, "filters", filters);
    this.filters = filters;
  }

  /** The layer a saved config describes, made by {@code make}. */
  static <L extends FilterConv<L>> L fromConfig(String name, JsonObject c, Factory<L> make) {
    int[] k = ConvGeometry.pair(Configs.ints(c, "kernel_size"), name, "kernel_size");
    return withCommonConfig(make.make(name, c.get("filters").getAsInt(), k[0], k[1]), c);
  }

  @Override
  Initializer defaultInitializer() {
    return Initializer.glorotUniform();
  }

  /** Output channels. */
  public int filters() {
    return filters;
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("filters", filters);
    return commonConfig(o);
  }
}
