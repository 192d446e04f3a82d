package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.qat4j.core.Tensor;

/**
 * Variance-scaling kernel initialiser, Keras's family: weights drawn with variance {@code scale /
 * fan}, where fan is the fan-in, the fan-out or their mean. Glorot, He and LeCun initialisers are
 * named presets. For a convolution kernel the fans are kh·kw·in and kh·kw·out.
 */
public record Initializer(double scale, Mode mode, Distribution distribution) {
  /** Which fan divides the scale. */
  public enum Mode {
    FAN_IN,
    FAN_OUT,
    FAN_AVG
  }

  /** Shape of the distribution; TRUNCATED_NORMAL redraws beyond two standard deviations. */
  public enum Distribution {
    UNIFORM,
    NORMAL,
    TRUNCATED_NORMAL
  }

  // Standard deviation of a unit normal truncated to [-2, 2]: the truncated draw is rescaled by it.
  private static final double TRUNCATED_STD = 0.87962566103423978;

  public Initializer {
    if (!(scale > 0) || Double.isInfinite(scale))
      throw new IllegalArgumentException("initializer scale must be finite and > 0, got " + scale);
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(distribution, "distribution");
  }

  /** U(±sqrt(6 / (fanIn + fanOut))), Keras's default for Conv2D and Dense. */
  public static Initializer glorotUniform() {
    return new Initializer(1, Mode.FAN_AVG, Distribution.UNIFORM);
  }

  /** N(0, 2 / fanIn), untruncated. */
  public static Initializer heNormal() {
    return new Initializer(2, Mode.FAN_IN, Distribution.NORMAL);
  }

  /** U(±sqrt(6 / fanIn)). */
  public static Initializer heUniform() {
    return new Initializer(2, Mode.FAN_IN, Distribution.UNIFORM);
  }

  /** U(±sqrt(3 / fanIn)). */
  public static Initializer lecunUniform() {
    return new Initializer(1, Mode.FAN_IN, Distribution.UNIFORM);
  }

  /** A tensor of {@code shape} drawn from {@code rng} for a kernel with the given fans. */
  public Tensor sample(SplittableRandom rng, int fanIn, int fanOut, int... shape) {
    if (fanIn <= 0 || fanOut <= 0)
      throw new IllegalArgumentException("fans must be > 0, got " + fanIn + ", " + fanOut);
    double fan =
        switch (mode) {
          case FAN_IN -> fanIn;
          case FAN_OUT -> fanOut;
          case FAN_AVG -> (fanIn + fanOut) / 2.0;
        };
    Tensor t = Tensor.zeros(shape);
    int n = t.size();
    switch (distribution) {
      case UNIFORM -> {
        // 3·scale/fan written so that Glorot reproduces sqrt(6 / (fanIn + fanOut)) bit for bit
        double lim =
            mode == Mode.FAN_AVG
                ? Math.sqrt(6.0 * scale / (fanIn + fanOut))
                : Math.sqrt(3.0 * scale / fan);
        for (int i = 0; i < n; i++) t.set(i, (float) ((rng.nextDouble() * 2 - 1) * lim));
      }
      case NORMAL -> {
        double std = Math.sqrt(scale / fan);
        for (int i = 0; i < n; i++) t.set(i, (float) (gaussian(rng) * std));
      }
      case TRUNCATED_NORMAL -> {
        double std = Math.sqrt(scale / fan) / TRUNCATED_STD;
        for (int i = 0; i < n; i++) {
          double z;
          do {
            z = gaussian(rng);
          } while (Math.abs(z) > 2);
          t.set(i, (float) (z * std));
        }
      }
    }
    return t;
  }

  /**
   * Keras-style config: {"class_name": "VarianceScaling", "config": {scale, mode, distribution}}.
   */
  public JsonObject toJson() {
    JsonObject c = new JsonObject();
    c.addProperty("scale", scale);
    c.addProperty("mode", mode.name().toLowerCase(Locale.ROOT));
    c.addProperty("distribution", distribution.name().toLowerCase(Locale.ROOT));
    JsonObject o = new JsonObject();
    o.addProperty("class_name", "VarianceScaling");
    o.add("config", c);
    return o;
  }

  /**
   * Adds {@code "kernel_initializer"} to a layer config unless {@code init} is the layer's default.
   */
  static void putUnlessDefault(JsonObject config, Initializer init, Initializer dflt) {
    if (!init.equals(dflt)) config.add("kernel_initializer", init.toJson());
  }

  /** The {@code "kernel_initializer"} of a layer config, or {@code dflt} when absent. */
  static Initializer fromConfig(JsonObject config, Initializer dflt) {
    return config.has("kernel_initializer")
        ? fromJson(config.getAsJsonObject("kernel_initializer"))
        : dflt;
  }

  /** Reads {@link #toJson()}; anything else is rejected with the offending text. */
  public static Initializer fromJson(JsonObject o) {
    try {
      if (!"VarianceScaling".equals(o.get("class_name").getAsString()))
        throw new IllegalArgumentException("class_name");
      JsonObject c = o.getAsJsonObject("config");
      return new Initializer(
          c.get("scale").getAsDouble(),
          Mode.valueOf(c.get("mode").getAsString().toUpperCase(Locale.ROOT)),
          Distribution.valueOf(c.get("distribution").getAsString().toUpperCase(Locale.ROOT)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "bad kernel_initializer "
              + o
              + " (expected VarianceScaling with scale, mode, distribution)",
          e);
    }
  }

  static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble(), u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-300))) * Math.cos(2 * Math.PI * u2);
  }
}
