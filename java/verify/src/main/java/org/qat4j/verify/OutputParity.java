package org.qat4j.verify;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.runtime.Backend;
import org.qat4j.tflite.TfliteReader;

/**
 * Bit-exact parity of every output of an int8 {@code .tflite} with any number of inputs and
 * outputs: the integer simulator vs TFLite BUILTIN (one thread) on identical inputs. Real-valued
 * inputs are given per graph input as N samples back to back (NHWC) and quantized once with the
 * input's params; the caller keeps ownership of all arrays.
 */
public final class OutputParity {
  private OutputParity() {}

  /**
   * One output's figures: elements compared, fraction bit-exact, largest difference in LSB (units
   * of the output's scale, or of the scale feeding a final DEQUANTIZE for float outputs).
   */
  public record Result(String output, long elements, double exactFraction, long maxLsb) {}

  /** Compares the simulator with TFLite BUILTIN on {@code n} samples; one result per output. */
  public static List<Result> check(byte[] tflite, int n, float[]... inputs) {
    if (tflite == null || inputs == null) throw new IllegalArgumentException("null argument");
    if (n <= 0) throw new IllegalArgumentException("n must be > 0, got " + n);
    LoweredGraph g = TfliteReader.read(tflite).toLoweredGraph();
    if (inputs.length != g.inputs().length)
      throw new IllegalArgumentException(
          "the .tflite has " + g.inputs().length + " inputs, got " + inputs.length + " arrays");
    Object[] ext = new Object[inputs.length];
    for (int i = 0; i < inputs.length; i++)
      ext[i] = external(g.tensor(g.inputs()[i]), inputs[i], n);
    Object[] sim = new Simulator(g, RoundingMode.DOUBLE).runBatch(n, ext);
    Object[] tfl = Runs.tflite(tflite, Backend.BUILTIN, ext, n, false);
    List<Result> r = new ArrayList<>();
    for (int o = 0; o < sim.length; o++) {
      TensorSpec out = g.tensor(g.outputs()[o]);
      Runs.Compare c = Runs.compare(out.type(), sim[o], tfl[o], Runs.outputLsb(g, o));
      r.add(new Result(out.name(), c.elements(), c.exactFraction(), c.maxLsb()));
    }
    return r;
  }

  /**
   * n samples of one input in its external type: floats, or int8/uint8 quantized with its params.
   */
  private static Object external(TensorSpec in, float[] real, int n) {
    int per = in.elements();
    if (real.length != (long) n * per)
      throw new IllegalArgumentException(
          "input '" + in.name() + "': " + real.length + " values, expected " + n + " × " + per);
    if (in.type() == DType.FLOAT32) return real.clone();
    if (in.type() != DType.INT8 && in.type() != DType.UINT8 || in.quant() == null)
      throw new IllegalArgumentException(
          "input '" + in.name() + "' is " + in.type() + ", not float32 or quantized int8/uint8");
    return Runs.quantize(in, real);
  }
}
