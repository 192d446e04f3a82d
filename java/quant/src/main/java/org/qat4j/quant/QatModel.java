package org.qat4j.quant;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.Trainer;
import org.qat4j.quant.calib.MinMaxEstimator;
import org.qat4j.quant.calib.RangeEstimator;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.layers.FakeQuantLayer;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.layers.QuantizedRecurrent;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * A quantization-aware model: the rewritten {@link Model} (train it with the usual Trainer), its
 * scheme, and for every tensor the quantizer whose range defines its int8 params. Offers
 * calibration, BN/observer freezing (PyTorch's freeze_bn_stats / disable_observer) and a training
 * schedule callback.
 */
public final class QatModel {
  static {
    org.qat4j.quant.layers.QatLayers.register();
  }

  private final Model model;
  private final Scheme scheme;
  private final Map<String, FakeQuantizer> rangeOf;

  public QatModel(Model model, Scheme scheme, Map<String, FakeQuantizer> rangeOf) {
    this.model = model;
    this.scheme = scheme;
    this.rangeOf = new LinkedHashMap<>(rangeOf);
  }

  public Model model() {
    return model;
  }

  public Scheme scheme() {
    return scheme;
  }

  /**
   * The quantizer defining the int8 params of node {@code name}'s output, or null when it stays
   * float.
   */
  public FakeQuantizer rangeOf(String name) {
    model.node(name);
    FakeQuantizer q = rangeOf.get(name);
    return q;
  }

  /** Every quantizer of the model (weights, outputs, input), in graph order. */
  public List<FakeQuantizer> quantizers() {
    Set<FakeQuantizer> s = Collections.newSetFromMap(new IdentityHashMap<>());
    List<FakeQuantizer> l = new ArrayList<>();
    for (Node n : model.nodes())
      for (FakeQuantizer q : quantizersOf(n.layer())) if (s.add(q)) l.add(q);
    return l;
  }

  static List<FakeQuantizer> quantizersOf(Layer l) {
    List<FakeQuantizer> q = new ArrayList<>();
    if (l instanceof QuantizeWrapper w) {
      q.addAll(w.weightQuantizers().values());
      if (w.outputQuantizer() != null) q.add(w.outputQuantizer());
    } else if (l instanceof ConvBatchNorm c) {
      q.add(c.weightQuantizer());
      if (c.outputQuantizer() != null) q.add(c.outputQuantizer());
    } else if (l instanceof FakeQuantLayer f) {
      q.add(f.quantizer());
    } else if (l instanceof QuantizedRecurrent r) {
      q.addAll(r.weightQuantizers());
      q.addAll(r.roleQuantizers().values());
    }
    return q;
  }

  /** Weight quantizers only. */
  List<FakeQuantizer> weightQuantizers() {
    List<FakeQuantizer> l = new ArrayList<>();
    for (Node n : model.nodes()) {
      if (n.layer() instanceof QuantizeWrapper w) l.addAll(w.weightQuantizers().values());
      if (n.layer() instanceof ConvBatchNorm c) l.add(c.weightQuantizer());
      if (n.layer() instanceof QuantizedRecurrent r) l.addAll(r.weightQuantizers());
    }
    return l;
  }

  /** Folded BN layers. */
  public List<ConvBatchNorm> foldedBatchNorms() {
    List<ConvBatchNorm> l = new ArrayList<>();
    for (Node n : model.nodes()) if (n.layer() instanceof ConvBatchNorm c) l.add(c);
    return l;
  }

  /**
   * BN layers use and keep their moving statistics from now on (the folded weights stop moving with
   * batches).
   */
  public void freezeBatchNorm() {
    for (ConvBatchNorm c : foldedBatchNorms()) c.batchNorm().freeze(true);
  }

  /** All range observers (weights included) stop updating; ranges stay as they are. */
  public void freezeObservers() {
    for (FakeQuantizer q : quantizers()) q.setObserving(false);
  }

  /** Turns all fake-quants on or off (off = the float model with the same weights). */
  public void setFakeQuantEnabled(boolean on) {
    List<FakeQuantizer> weights = weightQuantizers();
    List<FakeQuantizer> cellRoles = new ArrayList<>();
    for (Node n : model.nodes())
      if (n.layer() instanceof QuantizedRecurrent r) cellRoles.addAll(r.roleQuantizers().values());
    for (FakeQuantizer q : quantizers()) {
      // Producers unified into a Concatenate's range stay off.
      if (!on || rangeOf.containsValue(q) || weights.contains(q) || cellRoles.contains(q))
        q.setEnabled(on);
    }
  }

  /** Sets activation ranges from data with min/max (QAT initialisation instead of ±6). */
  public void calibrate(Iterable<Tensor> batches) {
    calibrate(batches, new MinMaxEstimator());
  }

  /**
   * Runs the float model (fake-quant bypassed) over {@code batches} in inference mode, sets every
   * observed activation range with {@code estimator}, then sets each weight range from its weights.
   */
  public void calibrate(Iterable<Tensor> batches, RangeEstimator estimator) {
    calibrateInputs(() -> new MappedIterator(batches.iterator()), estimator);
  }

  /**
   * {@link #calibrate(Iterable)} for a model with several inputs: each batch holds one tensor per
   * input, in {@link Model#inputs()} order, with the same N.
   */
  public void calibrateInputs(Iterable<Tensor[]> batches) {
    calibrateInputs(batches, new MinMaxEstimator());
  }

  /** {@link #calibrate(Iterable, RangeEstimator)} with one tensor per input in each batch. */
  public void calibrateInputs(Iterable<Tensor[]> batches, RangeEstimator estimator) {
    Map<FakeQuantizer, RangeEstimator.Accumulator> acc = new LinkedHashMap<>();
    List<FakeQuantizer> weights = weightQuantizers();
    for (FakeQuantizer q : quantizers()) {
      if (q.fixed() || weights.contains(q) || !q.enabled()) continue;
      RangeEstimator.Accumulator a = estimator.newAccumulator(q.rule().numBits());
      acc.put(q, a);
      q.setCalibrationSink(a::accept);
    }
    for (FakeQuantizer q : weights) q.setCalibrationSink((x, n) -> {});
    try {
      int count = 0;
      for (Tensor[] b : batches) {
        model.forward(b, ExecContext.inference());
        count++;
      }
      if (count == 0) throw new IllegalArgumentException("calibration needs at least one batch");
    } finally {
      for (FakeQuantizer q : quantizers()) q.setCalibrationSink(null);
    }
    for (var e : acc.entrySet()) {
      float[] r = e.getValue().range();
      float lo = Math.min(0f, r[0]), hi = Math.max(0f, r[1]);
      e.getKey().setRange(new float[] {lo}, new float[] {hi});
    }
    observeWeights();
  }

  /** Sets every weight range from the current (folded) weights, as one training step would. */
  public void observeWeights() {
    for (Node n : model.nodes()) {
      if (n.layer() instanceof QuantizeWrapper w) {
        for (var e : w.weightQuantizers().entrySet())
          e.getValue().observe(w.latent(e.getKey()).value());
      } else if (n.layer() instanceof ConvBatchNorm c) {
        c.weightQuantizer().observe(c.foldedKernel());
      } else if (n.layer() instanceof QuantizedRecurrent r) {
        r.observeWeights();
      }
    }
  }

  /**
   * A Trainer callback that freezes BN statistics at global step {@code bnFreezeStep} and observers
   * at {@code observerFreezeStep} (negative = never).
   */
  public Callback schedule(long bnFreezeStep, long observerFreezeStep) {
    return new Callback() {
      @Override
      public void onStepBegin(Trainer trainer, long step) {
        if (bnFreezeStep >= 0 && step >= bnFreezeStep) freezeBatchNorm();
        if (observerFreezeStep >= 0 && step >= observerFreezeStep) freezeObservers();
      }
    };
  }

  /**
   * Saves the model (graph, weights, ranges, BN state, quantizer switches, scheme) to a zip file
   * that {@link #load} restores; {@code ModelIO.load} also reads it as a plain model. Built-in
   * schemes and quantizer rules only.
   */
  public void save(java.nio.file.Path file) throws java.io.IOException {
    QatModelFiles.save(this, rangeOf, file);
  }

  /** Loads a model written by {@link #save}: same fake-quant predictions and int8 export. */
  public static QatModel load(java.nio.file.Path file) throws java.io.IOException {
    return QatModelFiles.load(file);
  }

  /** Single-input batches seen as one-element input arrays. */
  private record MappedIterator(Iterator<Tensor> it) implements Iterator<Tensor[]> {
    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public Tensor[] next() {
      return new Tensor[] {it.next()};
    }
  }

  @Override
  public String toString() {
    return "QatModel(" + scheme.name() + ")\n" + model;
  }
}
