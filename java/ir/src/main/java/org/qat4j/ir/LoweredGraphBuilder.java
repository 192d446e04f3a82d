package org.qat4j.ir;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mutable builder for a {@link LoweredGraph}: add tensors (getting their index back) and ops in
 * execution order, declare inputs/outputs, then {@link #build()} validates the structure (indices
 * in range, every non-input activation produced exactly once, ops topologically ordered, constant
 * data sized to its shape). Not thread-safe.
 */
public final class LoweredGraphBuilder {
  private String name;
  private final List<TensorSpec> tensors = new ArrayList<>();
  private final List<OpSpec> ops = new ArrayList<>();
  private int[] inputs = new int[0];
  private int[] outputs = new int[0];
  private final Map<String, byte[]> metadata = new LinkedHashMap<>();
  private String description = "";

  public LoweredGraphBuilder(String name) {
    this.name = name == null ? "" : name;
  }

  /** A builder pre-filled with the content of {@code g} (for rewriting passes). */
  public static LoweredGraphBuilder from(LoweredGraph g) {
    LoweredGraphBuilder b = new LoweredGraphBuilder(g.name());
    b.tensors.addAll(g.tensors());
    b.ops.addAll(g.ops());
    b.inputs = g.inputs();
    b.outputs = g.outputs();
    b.metadata.putAll(g.metadata());
    b.description = g.description();
    return b;
  }

  public LoweredGraphBuilder name(String n) {
    this.name = n == null ? "" : n;
    return this;
  }

  /** Appends a tensor and returns its index. */
  public int addTensor(TensorSpec t) {
    if (t == null) throw new IllegalArgumentException("tensor must not be null");
    tensors.add(t);
    return tensors.size() - 1;
  }

  /** Replaces the tensor at {@code index} (e.g. to attach quantization after the fact). */
  public void setTensor(int index, TensorSpec t) {
    checkIndex(index, "setTensor");
    tensors.set(index, t);
  }

  public TensorSpec tensor(int index) {
    checkIndex(index, "tensor");
    return tensors.get(index);
  }

  public int tensorCount() {
    return tensors.size();
  }

  /** Appends an op (execution order = call order) and returns its index. */
  public int addOp(OpKind kind, int[] in, int[] out, OpOptions options) {
    ops.add(new OpSpec(kind, in, out, options));
    return ops.size() - 1;
  }

  public int addOp(OpSpec op) {
    ops.add(op);
    return ops.size() - 1;
  }

  /** Replaces the op at {@code index}. */
  public void setOp(int index, OpSpec op) {
    ops.set(index, op);
  }

  public OpSpec op(int index) {
    return ops.get(index);
  }

  public int opCount() {
    return ops.size();
  }

  public LoweredGraphBuilder setInputs(int... in) {
    this.inputs = in.clone();
    return this;
  }

  public LoweredGraphBuilder setOutputs(int... out) {
    this.outputs = out.clone();
    return this;
  }

  public int[] inputs() {
    return inputs.clone();
  }

  public int[] outputs() {
    return outputs.clone();
  }

  public LoweredGraphBuilder metadata(String key, byte[] value) {
    metadata.put(key, value.clone());
    return this;
  }

  public LoweredGraphBuilder description(String d) {
    this.description = d == null ? "" : d;
    return this;
  }

  /** Validates and returns the immutable graph; throws IllegalStateException naming the problem. */
  public LoweredGraph build() {
    LoweredGraph g = new LoweredGraph(name, tensors, ops, inputs, outputs, metadata, description);
    validate(g);
    return g;
  }

  /** Structural validation of any lowered graph (also used on imported graphs). */
  public static void validate(LoweredGraph g) {
    int n = g.tensors().size();
    if (g.outputs().length == 0)
      throw new IllegalStateException("graph '" + g.name() + "' has no outputs");
    boolean[] ready = new boolean[n];
    int[] producer = new int[n];
    Arrays.fill(producer, -1);
    for (int i = 0; i < n; i++) {
      TensorSpec t = g.tensor(i);
      if (t.isConstant()) {
        checkConstant(t, i);
        ready[i] = true;
      }
    }
    for (int in : g.inputs()) {
      checkRange(in, n, "graph input");
      if (g.tensor(in).isConstant())
        throw new IllegalStateException(
            "graph input tensor " + in + " ('" + g.tensor(in).name() + "') is a constant");
      ready[in] = true;
    }
    for (int o = 0; o < g.ops().size(); o++) {
      OpSpec op = g.ops().get(o);
      String where = "op " + o + " (" + op.kind() + ")";
      int[] ins = op.inputs();
      for (int k = 0; k < ins.length; k++) {
        int in = ins[k];
        if (in == -1) continue; // TFLite's "optional input omitted"
        checkRange(in, n, where + " input");
        if (op.kind().stateInput(k)) {
          checkState(g, in, where);
          continue;
        }
        if (!ready[in]) {
          throw new IllegalStateException(
              where
                  + " reads tensor "
                  + in
                  + " ('"
                  + g.tensor(in).name()
                  + "') before it is produced (ops must be in topological order)");
        }
      }
      for (int out : op.outputs()) {
        checkRange(out, n, where + " output");
        if (g.tensor(out).isConstant())
          throw new IllegalStateException(
              where + " writes constant tensor " + out + " ('" + g.tensor(out).name() + "')");
        if (producer[out] >= 0)
          throw new IllegalStateException(
              where
                  + " writes tensor "
                  + out
                  + " ('"
                  + g.tensor(out).name()
                  + "') already produced by op "
                  + producer[out]);
        if (ready[out])
          throw new IllegalStateException(
              where + " writes graph input tensor " + out + " ('" + g.tensor(out).name() + "')");
        producer[out] = o;
        ready[out] = true;
      }
    }
    for (int out : g.outputs()) {
      checkRange(out, n, "graph output");
      if (!ready[out])
        throw new IllegalStateException(
            "graph output tensor " + out + " ('" + g.tensor(out).name() + "') is never produced");
    }
  }

  /** A state input: a variable tensor, neither constant nor a graph input nor produced. */
  private static void checkState(LoweredGraph g, int in, String where) {
    TensorSpec t = g.tensor(in);
    boolean input = Arrays.stream(g.inputs()).anyMatch(i -> i == in);
    if (t.isConstant() || input)
      throw new IllegalStateException(
          where + " state tensor " + in + " ('" + t.name() + "') must be a variable tensor");
  }

  private static void checkConstant(TensorSpec t, int i) {
    int len = Array.getLength(t.data());
    boolean typeOk =
        switch (t.type()) {
          case FLOAT32 -> t.data() instanceof float[];
          case INT8, UINT8 -> t.data() instanceof byte[];
          case INT32 -> t.data() instanceof int[];
          case INT64 -> t.data() instanceof long[];
          default -> false;
        };
    if (!typeOk)
      throw new IllegalStateException(
          "constant tensor "
              + i
              + " ('"
              + t.name()
              + "') of type "
              + t.type()
              + " holds "
              + t.data().getClass().getSimpleName());
    if (len != t.elements()) {
      throw new IllegalStateException(
          "constant tensor "
              + i
              + " ('"
              + t.name()
              + "') has "
              + len
              + " values, shape "
              + Arrays.toString(t.shape())
              + " needs "
              + t.elements());
    }
  }

  private static void checkRange(int idx, int n, String what) {
    if (idx < 0 || idx >= n)
      throw new IllegalStateException(what + " index " + idx + " out of range [0," + n + ")");
  }

  private void checkIndex(int index, String what) {
    if (index < 0 || index >= tensors.size())
      throw new IndexOutOfBoundsException(
          what + ": tensor index " + index + " out of range [0," + tensors.size() + ")");
  }
}
