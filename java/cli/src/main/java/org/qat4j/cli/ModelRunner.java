package org.qat4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * One .tflite on one backend for {@code run}, {@code classify} and {@code verify --tflite}: feeds a
 * sample (one raw value per input, {@link TensorIo} forms) and returns every output's raw value.
 * Owns the model and interpreter; close it.
 */
final class ModelRunner implements AutoCloseable {
  private final TfliteModel model;
  private final Interpreter it;
  private final Backend backend;
  private final List<TensorIo.Port> inputs;
  private final List<TensorIo.Port> outputs;

  private ModelRunner(TfliteModel model, Interpreter it, Backend backend) {
    this.model = model;
    this.it = it;
    this.backend = backend;
    this.inputs = TensorIo.inputs(it);
    this.outputs = TensorIo.outputs(it);
  }

  /** Opens {@code file} on {@code b}; a backend that cannot start is a failure (exit 1). */
  static ModelRunner open(Path file, Backend b, int threads) throws IOException {
    TfliteModel m = TfliteRun.model(file);
    try {
      return new ModelRunner(m, TfliteRun.open(m, b, threads, false), b);
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

  /** Runs one sample; its values are checked against the inputs before TFLite sees them. */
  Object[] invoke(Object[] sample) {
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
      it.close();
    } finally {
      model.close();
    }
  }
}
