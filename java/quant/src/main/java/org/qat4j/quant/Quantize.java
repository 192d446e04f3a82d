package org.qat4j.quant;

import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.quant.transforms.ModelTransformer;
import org.qat4j.quant.transforms.Transform;

/**
 * Entry points mirroring TFMOT's quantize_model / quantize_annotate_layer / quantize_apply. The
 * float model is not modified: the QAT model is a rewritten copy with the same weights.
 */
public final class Quantize {
  static {
    org.qat4j.quant.layers.QatLayers.register();
  }

  private Quantize() {}

  /** Annotates every layer and applies {@link Default8Bit}. */
  public static QatModel model(Model model) {
    return apply(annotate(model).annotateAll(), Default8Bit.INSTANCE);
  }

  /** Annotates every layer and applies {@code scheme}. */
  public static QatModel model(Model model, Scheme scheme) {
    return apply(annotate(model).annotateAll(), scheme);
  }

  /** Starts an annotation of {@code model}; add layers with {@link AnnotatedModel#annotate}. */
  public static AnnotatedModel annotate(Model model) {
    return new AnnotatedModel(model);
  }

  /** Annotates the named layers (scheme defaults). */
  public static AnnotatedModel annotate(Model model, String... layerNames) {
    AnnotatedModel a = new AnnotatedModel(model);
    for (String n : layerNames) a.annotate(n);
    return a;
  }

  /** Annotates one layer with a custom config. */
  public static AnnotatedModel annotate(Model model, Layer layer, QuantizeConfig config) {
    return new AnnotatedModel(model).annotate(layer, config);
  }

  /** Applies {@link Default8Bit} to the annotated layers. */
  public static QatModel apply(AnnotatedModel annotated) {
    return apply(annotated, Default8Bit.INSTANCE);
  }

  /**
   * Rewrites the annotated model for QAT with {@code scheme}.
   *
   * @throws UnsupportedLayersException listing every annotated layer that cannot be quantized
   */
  public static QatModel apply(AnnotatedModel annotated, Scheme scheme) {
    return new ModelTransformer(
            annotated.model(), annotated.annotations(), scheme, Transform.DEFAULTS)
        .apply();
  }
}
