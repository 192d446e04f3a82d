package org.qat4j.ir.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.RoundingMode;
import org.qat4j.ir.internal.Parallel;

/**
 * Executes a {@link LoweredGraph} in pure Java: float32 ops as the float reference and int8/uint8
 * ops with TFLite's integer arithmetic (quantization.md §6) in a selectable {@link RoundingMode},
 * as TFLite's kernels compute it on a {@link Platform} (default: this JVM's, {@link
 * Platform#host}). Tensor values cross the API as {@code float[]} (FLOAT32), {@code byte[]} (INT8,
 * UINT8 as raw bytes) or {@code int[]} (INT32), row-major NHWC with the graph's shapes.
 * Multipliers, lookup tables and weights are prepared once; the instance is immutable and
 * thread-safe, and {@link #runBatch} runs samples in parallel with one scratch frame per worker.
 */
public final class Simulator {
  private final LoweredGraph graph;
  private final RoundingMode mode;
  private final Platform platform;
  private final List<Kernel> kernels = new ArrayList<>();

  /** Shared prepared constants by tensor index (int[] for quantized/int32, float[] for float). */
  private final Object[] constants;

  /** One prepared operator; reads and writes tensor values held in {@code v}. */
  interface Kernel {
    void run(Object[] v);
  }

  public Simulator(LoweredGraph graph) {
    this(graph, RoundingMode.DOUBLE);
  }

  /**
   * Prepares every op for this JVM's platform; see {@link #Simulator(LoweredGraph, RoundingMode,
   * Platform)}.
   */
  public Simulator(LoweredGraph graph, RoundingMode mode) {
    this(graph, mode, Platform.host());
  }

  /**
   * Prepares every op with {@code mode}'s arithmetic as TFLite computes it on {@code platform};
   * throws IllegalArgumentException naming the op when it cannot be simulated.
   */
  public Simulator(LoweredGraph graph, RoundingMode mode, Platform platform) {
    LoweredGraphBuilder.validate(graph);
    this.graph = graph;
    this.mode = mode;
    this.platform = Objects.requireNonNull(platform, "platform");
    this.constants = new Object[graph.tensors().size()];
    for (int i = 0; i < constants.length; i++) {
      TensorSpec t = graph.tensor(i);
      if (t.isConstant()) constants[i] = Values.internal(t);
    }
    for (int o = 0; o < graph.ops().size(); o++) {
      OpSpec op = graph.ops().get(o);
      try {
        kernels.add(KernelFactory.create(graph, op, constants, mode, platform));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "op " + o + " (" + op.kind() + "): " + e.getMessage(), e);
      }
    }
  }

  /** One-shot convenience: runs {@code graph} (DOUBLE rounding) on one sample per input. */
  public static Object[] run(LoweredGraph graph, Object... inputs) {
    return new Simulator(graph).run(inputs);
  }

  public LoweredGraph graph() {
    return graph;
  }

  public RoundingMode mode() {
    return mode;
  }

  /** The platform whose TFLite kernels this simulator mirrors. */
  public Platform platform() {
    return platform;
  }

  /** Runs one invocation; {@code inputs[i]} matches graph input i exactly. Returns the outputs. */
  public Object[] run(Object... inputs) {
    Object[] v = frame();
    execute(v, inputs);
    int[] outs = graph.outputs();
    Object[] r = new Object[outs.length];
    for (int i = 0; i < outs.length; i++) r[i] = Values.external(graph.tensor(outs[i]), v[outs[i]]);
    return r;
  }

  /**
   * Runs one invocation with inputs keyed by tensor name; returns outputs keyed by tensor name
   * (graph order).
   */
  public java.util.Map<String, Object> runNamed(java.util.Map<String, ?> inputs) {
    int[] ins = graph.inputs();
    Object[] arr = new Object[ins.length];
    for (int i = 0; i < ins.length; i++) {
      String n = graph.tensor(ins[i]).name();
      if (!inputs.containsKey(n))
        throw new IllegalArgumentException("missing input '" + n + "'; given " + inputs.keySet());
      arr[i] = inputs.get(n);
    }
    if (inputs.size() != ins.length)
      throw new IllegalArgumentException(
          "graph has " + ins.length + " input(s), got " + inputs.keySet());
    Object[] out = run(arr);
    java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
    int[] outs = graph.outputs();
    for (int i = 0; i < outs.length; i++) r.put(graph.tensor(outs[i]).name(), out[i]);
    return r;
  }

  /**
   * Runs one invocation and returns every tensor's value by tensor index (constants included, in
   * their external form), for per-layer comparison.
   */
  public Object[] runAll(Object... inputs) {
    Object[] v = frame();
    execute(v, inputs);
    Object[] r = new Object[v.length];
    for (int i = 0; i < v.length; i++)
      r[i] = v[i] == null ? null : Values.external(graph.tensor(i), v[i]);
    return r;
  }

  /**
   * Runs {@code n} independent invocations; input i holds n samples back to back (n × its element
   * count). Returns each output likewise concatenated. Samples run in parallel.
   */
  public Object[] runBatch(int n, Object... inputs) {
    if (n < 0) throw new IllegalArgumentException("batch size must be >= 0, got " + n);
    int[] ins = graph.inputs(), outs = graph.outputs();
    checkInputs(inputs, n);
    Object[] results = new Object[outs.length];
    for (int i = 0; i < outs.length; i++)
      results[i] = Values.allocExternal(graph.tensor(outs[i]), n);
    Parallel.forRange(
        n,
        (lo, hi) -> {
          Object[] v = frame();
          for (int s = lo; s < hi; s++) {
            runSample(v, ins, inputs, s);
            for (int i = 0; i < outs.length; i++) {
              Values.writeExternal(graph.tensor(outs[i]), v[outs[i]], results[i], s);
            }
          }
        });
    return results;
  }

  /** Float convenience for single float input/output graphs: [n × in] → [n × out]. */
  public float[] runBatchFloat(int n, float[] input) {
    Object r = runBatch(n, input)[0];
    if (!(r instanceof float[] f))
      throw new IllegalStateException(
          "graph output is " + graph.tensor(graph.outputs()[0]).type() + ", not FLOAT32");
    return f;
  }

  /**
   * A tensor value (as returned by {@link #run}/{@link #runAll}, any batch size) as float32:
   * dequantized (q − zp)·scale for INT8/UINT8 per-tensor, per-axis along the quantized dimension;
   * copied for FLOAT32; INT32 converted (times scale when quantized). For per-layer SQNR.
   */
  public static float[] toFloat(TensorSpec t, Object value) {
    if (value instanceof float[] f) return f.clone();
    if (value instanceof short[] h) {
      int[] w = new int[h.length];
      for (int i = 0; i < h.length; i++) w[i] = h[i];
      value = w;
    }
    int n = value instanceof byte[] b ? b.length : ((int[]) value).length;
    float[] r = new float[n];
    org.qat4j.ir.QuantParams q = t.quant();
    int[] shape = t.shape();
    int inner = 1;
    if (q != null && q.perAxis())
      for (int d = q.quantizedDimension() + 1; d < shape.length; d++) inner *= shape[d];
    boolean u = t.type() == DType.UINT8;
    for (int i = 0; i < n; i++) {
      int v = value instanceof byte[] b ? (u ? b[i] & 0xFF : b[i]) : ((int[]) value)[i];
      if (q == null) {
        r[i] = v;
        continue;
      }
      int c = q.perAxis() ? (i / inner) % q.scales().length : 0;
      r[i] = (v - (int) q.zeroPoints()[c]) * q.scales()[c];
    }
    return r;
  }

  private Object[] frame() {
    Object[] v = constants.clone();
    for (int i = 0; i < v.length; i++)
      if (v[i] == null) v[i] = Values.allocInternal(graph.tensor(i));
    return v;
  }

  private void checkInputs(Object[] inputs, int n) {
    int[] ins = graph.inputs();
    if (inputs.length != ins.length)
      throw new IllegalArgumentException(
          "graph has " + ins.length + " input(s), got " + inputs.length);
    for (int i = 0; i < ins.length; i++)
      Values.checkExternal(graph.tensor(ins[i]), inputs[i], n, "input " + i);
  }

  private void execute(Object[] v, Object[] inputs) {
    checkInputs(inputs, 1);
    runSample(v, graph.inputs(), inputs, 0);
  }

  /**
   * Reads sample {@code s} of each (checked) input, tensor ids {@code ins}, into the frame {@code
   * v} and runs every kernel.
   */
  private void runSample(Object[] v, int[] ins, Object[] inputs, int s) {
    for (int i = 0; i < ins.length; i++)
      Values.readExternal(graph.tensor(ins[i]), inputs[i], s, v[ins[i]]);
    for (Kernel k : kernels) k.run(v);
  }

  @Override
  public String toString() {
    return "Simulator("
        + graph.name()
        + ", "
        + mode
        + ", "
        + platform
        + ", "
        + graph.ops().size()
        + " ops, inputs "
        + Arrays.toString(graph.inputs())
        + ")";
  }

  static boolean isQuantized(TensorSpec t) {
    return t.type() == DType.INT8 || t.type() == DType.UINT8;
  }
}
