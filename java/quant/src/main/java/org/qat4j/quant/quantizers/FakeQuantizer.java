package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import java.util.List;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.quant.Quantizer;

/**
 * One quantized tensor in a QAT model: a {@link Quantizer} rule bound to its range variables
 * ("min", "max" [channels] and "observed" [1], non-trainable Params so checkpoints keep them) plus
 * switches: enabled (fake-quant on), observing (range updates in training), calibration sink.
 * Per-axis ranges run along the last axis of the flattened tensor. Not thread-safe.
 */
public final class FakeQuantizer {
  /** Receives raw values while calibrating (the quantizer then passes values through unchanged). */
  @FunctionalInterface
  public interface Sink {
    void accept(FloatBuffer x, int size);
  }

  private final String name;
  private final Quantizer rule;
  private final int channels;
  private final Param min;
  private final Param max;
  private final Param observed;
  private boolean enabled = true;
  private boolean observing = true;
  private Sink sink;
  private FakeQuant.Nudged[] grids;
  private float[] gridMin;
  private float[] gridMax;
  private byte[] mask;
  private boolean passThrough;
  private final float[] scratchMin;
  private final float[] scratchMax;

  /**
   * @param name "layer/tensor_quant"; its params are named after the part after the last '/'
   * @param channels ranges along the last axis (1 unless the rule is per-axis)
   */
  public FakeQuantizer(String name, Quantizer rule, int channels) {
    if (!rule.perAxis() && channels != 1)
      throw new IllegalArgumentException(
          "quantizer '" + name + "' is per-tensor but got " + channels + " channels");
    if (channels < 1)
      throw new IllegalArgumentException("quantizer '" + name + "' needs >= 1 channel");
    this.name = name;
    this.rule = rule;
    this.channels = channels;
    String local = name.substring(name.lastIndexOf('/') + 1);
    this.min = new Param(local + "_min", Tensor.zeros(channels), false);
    this.max = new Param(local + "_max", Tensor.zeros(channels), false);
    this.observed = new Param(local + "_observed", Tensor.zeros(1), false);
    this.scratchMin = new float[channels];
    this.scratchMax = new float[channels];
    float[] fixed = rule.fixedRange();
    if (fixed != null) {
      min.value().fill(fixed[0]);
      max.value().fill(fixed[1]);
      observed.value().set(0, 1f);
    }
  }

  public String name() {
    return name;
  }

  public Quantizer rule() {
    return rule;
  }

  public int channels() {
    return channels;
  }

  public List<Param> params() {
    return List.of(min, max, observed);
  }

  public boolean enabled() {
    return enabled;
  }

  public boolean observing() {
    return observing;
  }

  /** True once a range exists (observed, calibrated, set or fixed). */
  public boolean hasRange() {
    syncFixed();
    return rangeKnown();
  }

  public boolean fixed() {
    return rule.fixedRange() != null;
  }

  /** Turns the fake-quant on or off (off = identity; the tensor is then treated as float). */
  public void setEnabled(boolean on) {
    enabled = on;
  }

  /** Stops (false) or resumes range updates during training. */
  public void setObserving(boolean on) {
    observing = on;
  }

  /** While non-null the quantizer is an identity that feeds its input to {@code s}. */
  public void setCalibrationSink(Sink s) {
    sink = s;
  }

  /** Current range (copies), per channel. */
  public float[] min() {
    return min.value().toArray();
  }

  public float[] max() {
    return max.value().toArray();
  }

  /** Sets the range (e.g. from calibration); it must contain 0. */
  public void setRange(float[] lo, float[] hi) {
    if (lo.length != channels || hi.length != channels)
      throw new IllegalArgumentException("quantizer '" + name + "' has " + channels + " channels");
    for (int i = 0; i < channels; i++) {
      if (!(lo[i] <= 0f && hi[i] >= 0f))
        throw new IllegalArgumentException(
            "quantizer '" + name + "': range [" + lo[i] + ", " + hi[i] + "] must contain 0");
    }
    min.value().copyFrom(lo);
    max.value().copyFrom(hi);
    observed.value().set(0, 1f);
  }

  /** The nudged grids of the current range (one per channel). */
  public FakeQuant.Nudged[] grids() {
    if (!hasRange())
      throw new IllegalStateException(
          "quantizer '" + name + "' has no range yet: calibrate or train first");
    refreshGrids();
    return grids.clone();
  }

  /**
   * Fake-quantizes {@code x} into {@code out} (same size, may be {@code x} itself), first updating
   * the range when {@code training} and observing. Returns the tensor holding the result ({@code x}
   * unchanged when disabled, calibrating or still without a range).
   */
  public Tensor apply(Tensor x, Tensor out, boolean training) {
    int size = x.size();
    if (sink != null) {
      sink.accept(x.buffer(), size);
      passThrough = true;
      return x;
    }
    if (!enabled) {
      passThrough = true;
      return x;
    }
    if (!syncFixed() && training && observing) observe(x);
    if (!rangeKnown()) {
      passThrough = true;
      return x;
    }
    passThrough = false;
    refreshGrids();
    if (size % channels != 0)
      throw new IllegalArgumentException(
          "quantizer '" + name + "': " + x + " does not end in " + channels + " channels");
    if (mask == null || mask.length < size) mask = new byte[size];
    FakeQuant.apply(x, out, size, grids, mask, rule.perAxis());
    return out;
  }

  /** True when {@link #apply} with {@code training} would update the range first. */
  public boolean observesNow(boolean training) {
    return training && observing && sink == null && enabled && !fixed();
  }

  /**
   * True when a layer may compute this quantizer's output itself with {@link #grids()} (fusing it
   * into its own output pass): enabled, not calibrating, per-tensor, and the range either needs no
   * update now or can be updated from the batch min/max alone ({@link #observeMinMax}).
   */
  public boolean fusable(boolean training) {
    if (sink != null || !enabled || channels != 1) return false;
    if (observesNow(training)) return rule.observesMinMaxOnly();
    return hasRange();
  }

  /**
   * Updates the range as {@link #observe} would from a batch whose per-channel minima and maxima
   * are {@code lo} and {@code hi} (the rule must observe min/max only: {@link
   * Quantizer#observesMinMaxOnly}).
   */
  public void observeMinMax(float[] lo, float[] hi) {
    if (!rule.observesMinMaxOnly())
      throw new IllegalStateException(
          "quantizer '" + name + "': " + rule + " needs the whole batch to observe");
    if (lo.length != channels || hi.length != channels)
      throw new IllegalArgumentException("quantizer '" + name + "' has " + channels + " channels");
    float[] rows = new float[2 * channels];
    System.arraycopy(lo, 0, rows, 0, channels);
    System.arraycopy(hi, 0, rows, channels, channels);
    observe(FloatBuffer.wrap(rows), rows.length);
  }

  /**
   * The straight-through mask (1 = gradient passes) of the last {@link #apply}, or null when it
   * passed values through.
   */
  public byte[] lastMask() {
    return passThrough ? null : mask;
  }

  /** Applies the straight-through mask of the last {@link #apply} to {@code grad} in place. */
  public void backward(Tensor grad) {
    if (passThrough) return;
    FakeQuant.maskGradient(grad.buffer(), grad.size(), mask);
  }

  /**
   * Copies a fixed (or shared) rule's current range into the range params; false when it has none
   * now.
   */
  private boolean syncFixed() {
    float[] f = rule.fixedRange();
    if (f == null) return false;
    min.value().fill(f[0]);
    max.value().fill(f[1]);
    observed.value().set(0, 1f);
    return true;
  }

  /** The "observed" flag as it stands (callers sync a fixed range first). */
  private boolean rangeKnown() {
    return observed.value().get(0) != 0f;
  }

  /** Updates the range from {@code x} with the rule (even while not training). */
  public void observe(Tensor x) {
    observe(x.buffer(), x.size());
  }

  private void observe(FloatBuffer x, int size) {
    FloatBuffer mn = min.value().buffer(), mx = max.value().buffer();
    for (int i = 0; i < channels; i++) {
      scratchMin[i] = mn.get(i);
      scratchMax[i] = mx.get(i);
    }
    rule.observe(x, size, scratchMin, scratchMax, !hasRange());
    min.value().copyFrom(scratchMin);
    max.value().copyFrom(scratchMax);
    observed.value().set(0, 1f);
  }

  private void refreshGrids() {
    FloatBuffer mn = min.value().buffer(), mx = max.value().buffer();
    boolean same = grids != null;
    for (int i = 0; same && i < channels; i++)
      same = gridMin[i] == mn.get(i) && gridMax[i] == mx.get(i);
    if (same) return;
    if (grids == null) {
      grids = new FakeQuant.Nudged[channels];
      gridMin = new float[channels];
      gridMax = new float[channels];
    }
    for (int i = 0; i < channels; i++) {
      gridMin[i] = mn.get(i);
      gridMax[i] = mx.get(i);
      grids[i] = FakeQuant.nudge(gridMin[i], gridMax[i], rule.numBits(), rule.narrowRange());
    }
  }

  @Override
  public String toString() {
    return "FakeQuantizer('" + name + "', " + rule + ", channels=" + channels + ")";
  }
}
