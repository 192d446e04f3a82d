package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;

/**
 * What Dropout and SpatialDropout1D share: the rate in [0, 1), its config, and whether a pass drops
 * (training with rate > 0); each subclass draws and applies its own mask.
 */
abstract class RateDropout extends Layer {
  final float rate;
  private boolean active;

  RateDropout(String name, float rate) {
    super(name);
    if (!(rate >= 0f && rate < 1f))
      throw new IllegalArgumentException(
          "layer '" + name + "': rate must be in [0, 1), got " + rate);
    this.rate = rate;
  }

  public float rate() {
    return rate;
  }

  /** Whether this forward pass drops; the matching backward asks {@link #active()}. */
  boolean activate(ExecContext ctx) {
    active = ctx.training() && rate > 0f;
    return active;
  }

  boolean active() {
    return active;
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("rate", rate);
    return o;
  }
}
