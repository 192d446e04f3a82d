package org.qat4j.core.zoo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.Initializer;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.ReLU;

/**
 * Named model architectures with seeded initialisation. All take NHWC inputs and produce logits (no
 * softmax).
 */
public final class Zoo {
  private static final Map<String, LongFunction<Model>> MODELS = new LinkedHashMap<>();
  private static final Map<String, Recipe> RECIPES = new LinkedHashMap<>();

  /** The recipe of architectures nobody has tuned yet: the reference CNN's rate, Glorot init. */
  private static final Recipe UNTUNED =
      new Recipe(Recipe.REFERENCE_CNN_LR, 1, "not tuned: the reference CNN's rate, Glorot init");

  static {
    MODELS.put("reference-cnn", Zoo::referenceCnn);
    MODELS.put("mlp", Zoo::mlp);
    MODELS.put("mobilenet-mini", MobileNetMini::create);
    MODELS.put("mobilenet-v1", seed -> new MobileNetV1().build(seed));
    MODELS.put("mobilenet-v2", seed -> new MobileNetV2().build(seed));
    MODELS.put("resnet50", seed -> new ResNet50().build(seed));
    RECIPES.put(
        "reference-cnn",
        new Recipe(
            Recipe.REFERENCE_CNN_LR,
            Recipe.REFERENCE_CNN_INIT,
            "docs/PERFORMANCE.md: 5 epochs, seeds 1-10, mean test accuracy 0.9147"));
    RECIPES.put(
        "mobilenet-mini",
        new Recipe(
            Recipe.MOBILENET_MINI_LR,
            1,
            "docs/PERFORMANCE.md: 5 epochs, rate sweep 1.5e-3 to 1.2e-2, mean 0.9102 at 1.2e-2"));
  }

  private Zoo() {}

  /**
   * Registered names: "reference-cnn", "mlp", "mobilenet-mini" (28×28×1), and at their ImageNet
   * defaults (224×224×3, 1000 classes) "mobilenet-v1", "mobilenet-v2", "resnet50"; the builders
   * take other sizes.
   */
  public static Set<String> names() {
    return Set.copyOf(MODELS.keySet());
  }

  /**
   * The training recipe for {@code name} (a registered name), or the untuned default (the reference
   * CNN's rate, Glorot init) for an architecture without one or for a saved model.
   */
  public static Recipe recipe(String name) {
    return RECIPES.getOrDefault(name, UNTUNED);
  }

  /** Builds the named model with weights drawn from {@code seed}. */
  public static Model create(String name, long seed) {
    LongFunction<Model> f = MODELS.get(name);
    if (f == null)
      throw new IllegalArgumentException(
          "unknown zoo model '" + name + "'; known: " + MODELS.keySet());
    return f.apply(seed);
  }

  /**
   * The qat4j reference CNN on 28×28×1: Conv2D(32, 3×3, valid) → BN → ReLU → MaxPool 2×2 →
   * Conv2D(64, 3×3, valid) → BN → ReLU → MaxPool 2×2 → Flatten → Dense(128) → ReLU → Dense(10).
   */
  public static Model referenceCnn(long seed) {
    return referenceCnn(seed, Initializer.glorotUniform());
  }

  /**
   * The reference CNN with its two Conv2D kernels drawn by {@code convInit}; BatchNorm follows
   * each, so the kernel scale sets how fast Adam's fixed-size steps turn them (the training recipe
   * of docs/PERFORMANCE.md uses Glorot at variance scale 0.04).
   */
  public static Model referenceCnn(long seed, Initializer convInit) {
    return new Sequential(seed, "input", 28, 28, 1)
        .add(new Conv2D("conv1", 32, 3, 3).kernelInitializer(convInit))
        .add(new BatchNormalization("bn1"))
        .add(new ReLU("relu1"))
        .add(new MaxPool2D("pool1", 2, 2))
        .add(new Conv2D("conv2", 64, 3, 3).kernelInitializer(convInit))
        .add(new BatchNormalization("bn2"))
        .add(new ReLU("relu2"))
        .add(new MaxPool2D("pool2", 2, 2))
        .add(new Flatten("flatten"))
        .add(new Dense("dense1", 128))
        .add(new ReLU("relu3"))
        .add(new Dense("logits", 10))
        .build();
  }

  /** A small multilayer perceptron on 28×28×1: Flatten → Dense(128) → ReLU → Dense(10). */
  public static Model mlp(long seed) {
    return new Sequential(seed, "input", 28, 28, 1)
        .add(new Flatten("flatten"))
        .add(new Dense("dense1", 128))
        .add(new ReLU("relu1"))
        .add(new Dense("logits", 10))
        .build();
  }
}
