package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * Options, parameters and config shared by {@link Conv2D} and {@link DepthwiseConv2D}: window [kh,
 * kw], strides, dilation, TFLite padding, bias and fused activation. Setters return the concrete
 * layer so builders chain.
 */
public abstract class ConvBase<T extends ConvBase<T>> extends Layer implements Weighted {
  final int[] kernelSize;
  int[] strides = {1, 1};
  int[] dilation = {1, 1};
  Padding padding = Padding.VALID;
  boolean useBias = true;
  Activation activation = Activation.NONE;
  Initializer kernelInit = defaultInitializer();
  Param kernel;
  Param bias;
  ConvGeometry geo;

  ConvBase(String name, int kh, int kw) {
    super(name);
    ConvGeometry.positive(name, "kernel size", kh, kw);
    kernelSize = new int[] {kh, kw};
  }

  abstract T self();

  /** The kernel initialiser used unless {@link #kernelInitializer} sets another. */
  abstract Initializer defaultInitializer();

  public T strides(int sh, int sw) {
    ConvGeometry.positive(name(), "strides", sh, sw);
    strides = new int[] {sh, sw};
    return self();
  }

  public T dilation(int dh, int dw) {
    ConvGeometry.positive(name(), "dilation", dh, dw);
    dilation = new int[] {dh, dw};
    return self();
  }

  public T padding(Padding p) {
    padding = Objects.requireNonNull(p);
    return self();
  }

  public T useBias(boolean b) {
    useBias = b;
    return self();
  }

  public T activation(Activation a) {
    activation = Objects.requireNonNull(a);
    return self();
  }

  /** How {@link #build} draws the kernel (fans kh·kw·in and kh·kw·out). */
  public T kernelInitializer(Initializer i) {
    kernelInit = Objects.requireNonNull(i);
    return self();
  }

  /** [kh, kw]. */
  public int[] kernelSize() {
    return kernelSize.clone();
  }

  /** [stride_h, stride_w]. */
  public int[] strides() {
    return strides.clone();
  }

  /** [dilation_h, dilation_w]. */
  public int[] dilation() {
    return dilation.clone();
  }

  public Padding padding() {
    return padding;
  }

  public boolean hasBias() {
    return useBias;
  }

  public Activation activation() {
    return activation;
  }

  public Initializer kernelInitializer() {
    return kernelInit;
  }

  /** The kernel parameter (layout documented by the subclass); null before build. */
  public Param kernel() {
    return kernel;
  }

  /** Bias [output channels], or null without bias. */
  public Param bias() {
    return bias;
  }

  final ConvGeometry geometry(int[] in) {
    return ConvGeometry.of(
        this,
        in,
        kernelSize[0],
        kernelSize[1],
        strides[0],
        strides[1],
        dilation[0],
        dilation[1],
        padding);
  }

  /** Throws unless the layer is built and {@code x} is [N, H, W, C] of the built input size. */
  final void checkInput(Tensor x) {
    if (geo == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    if (x.rank() != 4 || x.dim(1) != geo.h() || x.dim(2) != geo.w() || x.dim(3) != geo.c()) {
      throw new IllegalArgumentException(
          "layer '"
              + name()
              + "' expects [N, "
              + geo.h()
              + ", "
              + geo.w()
              + ", "
              + geo.c()
              + "], got "
              + x);
    }
  }

  @Override
  public List<Param> params() {
    List<Param> l = new ArrayList<>();
    if (kernel != null) l.add(kernel);
    if (bias != null) l.add(bias);
    return l;
  }

  /** Adds the shared options to a config object (Keras key names). */
  final JsonObject commonConfig(JsonObject o) {
    o.add("kernel_size", Configs.array(kernelSize));
    o.add("strides", Configs.array(strides));
    o.add("dilation_rate", Configs.array(dilation));
    o.addProperty("padding", padding.name());
    o.addProperty("use_bias", useBias);
    o.addProperty("activation", activation.name());
    Initializer.putUnlessDefault(o, kernelInit, defaultInitializer());
    return o;
  }

  /** Applies the shared options of a saved config to {@code layer}. */
  static <L extends ConvBase<L>> L withCommonConfig(L layer, JsonObject c) {
    String name = layer.name();
    int[] s =
        ConvGeometry.pair(
            c.has("strides") ? Configs.ints(c, "strides") : new int[] {1}, name, "strides");
    int[] d =
        ConvGeometry.pair(
            c.has("dilation_rate") ? Configs.ints(c, "dilation_rate") : new int[] {1},
            name,
            "dilation_rate");
    return layer
        .kernelInitializer(Initializer.fromConfig(c, layer.defaultInitializer()))
        .strides(s[0], s[1])
        .dilation(d[0], d[1])
        .padding(Padding.valueOf(Configs.str(c, "padding", "VALID")))
        .useBias(Configs.bool(c, "use_bias", true))
        .activation(Activation.valueOf(Configs.str(c, "activation", "NONE")));
  }

  /** A fresh layer with this one's type-specific settings (filters, depth multiplier). */
  abstract T fresh();

  @Override
  public T copy(Activation act, boolean withBias) {
    return fresh()
        .kernelInitializer(kernelInit)
        .strides(strides[0], strides[1])
        .dilation(dilation[0], dilation[1])
        .padding(padding)
        .useBias(withBias)
        .activation(act);
  }

  @Override
  public T copy() {
    return copy(activation, useBias);
  }
}
