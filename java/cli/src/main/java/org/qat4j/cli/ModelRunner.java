package org.qat4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * One .tflite on one backend for {@code run}, {@code classify} and {@code verify --tflite}: feeds a
 * sample (one raw value per input, {@link TensorIo} forms) and returns every output's raw value.
 * Owns the model and interpreter; close it.
 */
final class ModelRunner implements AutoCloseable {
  static final String EDGETPU_OP = "edgetpu-custom-op";

  private final TfliteModel model;
  private final Backend backend;
  private final int threads;
  private final boolean stateful;
  private final CustomOpSpecs ops;
  private Interpreter it;
  private boolean used;
  private final List<TensorIo.Port> inputs;
  private final List<TensorIo.Port> outputs;

  private ModelRunner(
      TfliteModel model,
      Interpreter it,
      Backend backend,
      int threads,
      boolean stateful,
      CustomOpSpecs ops) {
    this.model = model;
    this.ops = ops;
    this.it = it;
    this.backend = backend;
    this.threads = threads;
    this.stateful = stateful;
    this.inputs = TensorIo.inputs(it);
    this.outputs = TensorIo.outputs(it);
  }

  /**
   * Opens {@code file} on {@code b}; a backend that cannot start is a failure (exit 1). A model
   * with variable tensors (e.g. an LSTM's state) gets a fresh interpreter per sample: TFLite keeps
   * their values from one invoke to the next, and samples must not see each other.
   */
  static ModelRunner open(Path file, Backend b, int threads, CustomOpSpecs ops) throws IOException {
    TfliteModelInfo info = Pipeline.readTflite(file, "--model");
    if (b != Backend.EDGETPU && edgetpuCompiled(info))
      throw CliException.usage(
          "--model: "
              + file
              + " is compiled for the Edge TPU (edgetpu-custom-op): run it with --backend edgetpu,"
              + " or run the uncompiled .tflite on "
              + b);
    boolean stateful = hasVariables(info);
    TfliteModel m = TfliteRun.model(file);
    try {
      return new ModelRunner(
          m, TfliteRun.open(m, b, threads, false, ops), b, threads, stateful, ops);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  List<TensorIo.Port> inputs() {
    return inputs;
  }

  List<TensorIo.Port> outputs() {
    return outputs;
  }

  Backend backend() {
    return backend;
  }

  /** True when edgetpu_compiler made the file (its segments are edgetpu-custom-op operators). */
  static boolean edgetpuCompiled(TfliteModelInfo info) {
    for (SubgraphInfo sg : info.subgraphs())
      for (OperatorInfo op : sg.operators()) if (EDGETPU_OP.equals(op.opName())) return true;
    return false;
  }

  static boolean hasVariables(TfliteModelInfo info) {
    for (SubgraphInfo sg : info.subgraphs())
      for (int t = 0; t < sg.tensors().size(); t++) if (sg.tensor(t).variable()) return true;
    return false;
  }

  /** True when each sample runs on a fresh interpreter (the model keeps state between invokes). */
  boolean stateful() {
    return stateful;
  }

  /** Runs one sample; its values are checked against the inputs before TFLite sees them. */
  Object[] invoke(Object[] sample) {
    if (stateful && used) {
      it.close();
      it = null;
      it = TfliteRun.open(model, backend, threads, false, ops);
    }
    used = true;
    for (int i = 0; i < inputs.size(); i++) {
      TensorIo.Port p = inputs.get(i);
      int n = TensorIo.length(sample[i]);
      if (n != p.elements())
        throw CliException.usage(
            "input " + p.describe() + " takes " + p.elements() + " values, got " + n);
      TensorIo.write(it.input(i), sample[i]);
    }
    it.invoke();
    Object[] out = new Object[outputs.size()];
    for (int o = 0; o < out.length; o++) out[o] = TensorIo.read(it.output(o));
    return out;
  }

  /** Every sample's outputs. */
  List<Object[]> invokeAll(List<Object[]> samples) {
    List<Object[]> l = new ArrayList<>();
    for (Object[] s : samples) l.add(invoke(s));
    return l;
  }

  @Override
  public void close() {
    try {
      if (it != null) it.close();
    } finally {
      model.close();
    }
  }
}
