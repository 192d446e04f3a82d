package org.qat4j.tflite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Small lowered graphs for writer/reader tests: conv → depthwise → avg pool → reshape → FC →
 * softmax.
 */
public final class Graphs {
  private Graphs() {}

  public static float[] floats(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
    return a;
  }

  public static byte[] int8s(SplittableRandom r, int n) {
    byte[] a = new byte[n];
    for (int i = 0; i < n; i++) a[i] = (byte) (r.nextInt(255) - 127);
    return a;
  }

  public static int[] ints(SplittableRandom r, int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = r.nextInt(2001) - 1000;
    return a;
  }

  public static List<OpSpec> ops() {
    List<OpSpec> ops = new ArrayList<>();
    ops.add(
        new OpSpec(
            OpKind.CONV_2D,
            new int[] {0, 1, 2},
            new int[] {3},
            OpOptions.Conv.DEFAULT.withPadding("SAME").withActivation(FusedActivation.RELU6)));
    ops.add(
        new OpSpec(
            OpKind.DEPTHWISE_CONV_2D,
            new int[] {3, 4, 5},
            new int[] {6},
            OpOptions.Depthwise.DEFAULT
                .withPadding("SAME")
                .withStrides(2, 2)
                .withDepthMultiplier(1)
                .withActivation(FusedActivation.RELU)));
    ops.add(
        new OpSpec(
            OpKind.AVERAGE_POOL_2D,
            new int[] {6},
            new int[] {7},
            OpOptions.Pool.DEFAULT.withFilter(4, 4).withStrides(4, 4)));
    ops.add(
        new OpSpec(
            OpKind.RESHAPE, new int[] {7}, new int[] {8}, new OpOptions.Reshape(new int[] {1, 4})));
    ops.add(new OpSpec(OpKind.FULLY_CONNECTED, new int[] {8, 9, 10}, new int[] {11}, null));
    ops.add(new OpSpec(OpKind.SOFTMAX, new int[] {11}, new int[] {12}, new OpOptions.Softmax(1f)));
    return ops;
  }

  public static Map<String, byte[]> meta() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("qat4j.labels", "shirt\nshoe\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    m.put(
        "qat4j.input",
        "{\"mean\":127.5,\"std\":127.5,\"layout\":\"NHWC\"}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return m;
  }

  public static LoweredGraph float32() {
    SplittableRandom r = new SplittableRandom(1);
    DType f = DType.FLOAT32;
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.activation("x", new int[] {1, 8, 8, 3}, f, null));
    t.add(new TensorSpec("conv/w", new int[] {4, 3, 3, 3}, f, null, floats(r, 108)));
    t.add(new TensorSpec("conv/b", new int[] {4}, f, null, floats(r, 4)));
    t.add(TensorSpec.activation("conv", new int[] {1, 8, 8, 4}, f, null));
    t.add(new TensorSpec("dw/w", new int[] {1, 3, 3, 4}, f, null, floats(r, 36)));
    t.add(new TensorSpec("dw/b", new int[] {4}, f, null, floats(r, 4)));
    t.add(TensorSpec.activation("dw", new int[] {1, 4, 4, 4}, f, null));
    t.add(TensorSpec.activation("pool", new int[] {1, 1, 1, 4}, f, null));
    t.add(TensorSpec.activation("flat", new int[] {1, 4}, f, null));
    t.add(new TensorSpec("fc/w", new int[] {2, 4}, f, null, floats(r, 8)));
    t.add(new TensorSpec("fc/b", new int[] {2}, f, null, floats(r, 2)));
    t.add(TensorSpec.activation("fc", new int[] {1, 2}, f, null));
    t.add(TensorSpec.activation("probs", new int[] {1, 2}, f, null));
    return new LoweredGraph(
        "main", t, ops(), new int[] {0}, new int[] {12}, meta(), "float test model");
  }

  public static float[] scales(int n, float base) {
    float[] s = new float[n];
    for (int i = 0; i < n; i++) s[i] = base * (i + 1);
    return s;
  }

  public static float[] mul(float a, float[] s) {
    float[] o = new float[s.length];
    for (int i = 0; i < s.length; i++) o[i] = a * s[i];
    return o;
  }

  public static LoweredGraph int8() {
    SplittableRandom r = new SplittableRandom(2);
    DType q = DType.INT8;
    float sIn = 0.02f, sConv = 0.05f, sDw = 0.04f, sFc = 0.1f;
    float[] wConv = scales(4, 0.01f);
    float[] wDw = scales(4, 0.02f);
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.activation("x", new int[] {1, 8, 8, 3}, q, QuantParams.perTensor(sIn, -5)));
    t.add(
        new TensorSpec(
            "conv/w", new int[] {4, 3, 3, 3}, q, QuantParams.perAxis(wConv, 0), int8s(r, 108)));
    t.add(
        new TensorSpec(
            "conv/b",
            new int[] {4},
            DType.INT32,
            QuantParams.perAxis(mul(sIn, wConv), 0),
            ints(r, 4)));
    t.add(
        TensorSpec.activation(
            "conv", new int[] {1, 8, 8, 4}, q, QuantParams.perTensor(sConv, -128)));
    t.add(
        new TensorSpec(
            "dw/w", new int[] {1, 3, 3, 4}, q, QuantParams.perAxis(wDw, 3), int8s(r, 36)));
    t.add(
        new TensorSpec(
            "dw/b",
            new int[] {4},
            DType.INT32,
            QuantParams.perAxis(mul(sConv, wDw), 0),
            ints(r, 4)));
    t.add(TensorSpec.activation("dw", new int[] {1, 4, 4, 4}, q, QuantParams.perTensor(sDw, -128)));
    t.add(
        TensorSpec.activation("pool", new int[] {1, 1, 1, 4}, q, QuantParams.perTensor(sDw, -128)));
    t.add(TensorSpec.activation("flat", new int[] {1, 4}, q, QuantParams.perTensor(sDw, -128)));
    t.add(
        new TensorSpec("fc/w", new int[] {2, 4}, q, QuantParams.perTensor(0.03f, 0), int8s(r, 8)));
    t.add(
        new TensorSpec(
            "fc/b", new int[] {2}, DType.INT32, QuantParams.perTensor(sDw * 0.03f, 0), ints(r, 2)));
    t.add(TensorSpec.activation("fc", new int[] {1, 2}, q, QuantParams.perTensor(sFc, 3)));
    t.add(
        TensorSpec.activation("probs", new int[] {1, 2}, q, QuantParams.perTensor(1f / 256, -128)));
    return new LoweredGraph(
        "main", t, ops(), new int[] {0}, new int[] {12}, meta(), "int8 test model");
  }

  /** Copy of {@code g} with tensor {@code i} replaced. */
  public static LoweredGraph withTensor(LoweredGraph g, int i, TensorSpec t) {
    List<TensorSpec> ts = new ArrayList<>(g.tensors());
    ts.set(i, t);
    return new LoweredGraph(
        g.name(), ts, g.ops(), g.inputs(), g.outputs(), g.metadata(), g.description());
  }

  /** Copy of {@code g} with operator {@code i} replaced. */
  public static LoweredGraph withOp(LoweredGraph g, int i, OpSpec op) {
    List<OpSpec> ops = new ArrayList<>(g.ops());
    ops.set(i, op);
    return new LoweredGraph(
        g.name(), g.tensors(), ops, g.inputs(), g.outputs(), g.metadata(), g.description());
  }

  public static LoweredGraph withIo(LoweredGraph g, int[] in, int[] out) {
    return new LoweredGraph(g.name(), g.tensors(), g.ops(), in, out, g.metadata(), g.description());
  }

  /**
   * Serialises {@code g} without the writer's validation, to hand readers and importers files it
   * would refuse.
   */
  public static byte[] encodeUnvalidated(LoweredGraph g) {
    return TfliteWriter.encode(g);
  }
}
