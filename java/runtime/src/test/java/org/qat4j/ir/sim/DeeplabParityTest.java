package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.SharedModels;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.runtime.parity.OpCut;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.PartialImport;
import org.qat4j.tflite.TfliteReader;

/**
 * The real uint8 DeepLab v3 (TF1 converter) end to end before RESIZE_BILINEAR and ARG_MAX are wired
 * into the op table: operators the simulator knows run one by one as cut-out graphs, the three
 * RESIZE_BILINEAR through {@link ResizeBilinearKernels} and ARG_MAX through {@link
 * ArgMinMaxKernels}. Every known operator, cut out and fed the simulator's input, equals BUILTIN,
 * and the 513×513 class map equals TFLite BUILTIN on bird.bmp. Skips when ../shared/models is
 * absent.
 */
@Tag("native")
class DeeplabParityTest {
  static final String MODEL = "real/deeplabv3_mnv2_dm05_pascal_quant.tflite";
  static final int RESIZE_BILINEAR = 23, ARG_MAX = 56;

  @Test
  void classMapEqualsBuiltin() throws Exception {
    byte[] bytes = Files.readAllBytes(SharedModels.require(MODEL));
    LoweredGraph g = PartialImport.without(bytes, Set.of(RESIZE_BILINEAR, ARG_MAX));
    java.util.List<OperatorInfo> ops = TfliteReader.read(bytes).subgraph(0).operators();
    byte[] px = SharedModels.pixels("real/bird.bmp", g.tensor(g.inputs()[0]).shape()[1]);
    Object[] v = new Object[g.tensors().size()];
    v[g.inputs()[0]] = px;
    int next = 0, layers = 0;
    for (OperatorInfo op : ops) {
      int[] in = op.inputs();
      int y = op.outputs()[0];
      if (op.builtinCode() == RESIZE_BILINEAR) {
        v[y] = resize(g, op, bytes, (byte[]) v[in[0]]);
      } else if (op.builtinCode() == ARG_MAX) {
        TensorSpec x = g.tensor(in[0]);
        int axis = ((int[]) g.tensor(in[1]).data())[0];
        v[y] = ArgMinMaxKernels.argInt(unsigned((byte[]) v[in[0]]), x.shape(), axis, true);
      } else {
        LoweredGraph one = OpCut.cut(g, next);
        OpSpec spec = g.ops().get(next++);
        java.util.List<Object> feeds = new java.util.ArrayList<>();
        for (int t : spec.inputs()) if (t >= 0 && !g.tensor(t).isConstant()) feeds.add(v[t]);
        v[y] = new Simulator(one).run(feeds.toArray())[0];
        layers += sameOnBuiltin(one, feeds.toArray(), (byte[]) v[y]) ? 1 : 0;
      }
    }
    assertEquals(g.ops().size(), next);
    assertEquals(
        next, layers, "operators whose cut-out graph equals BUILTIN on the simulator's inputs");
    int[] want = (int[]) v[g.outputs()[0]];
    int[] got;
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter it = Interpreter.create(m, Interpreter.Options.builder().threads(1).build())) {
      it.input(0).write(px);
      it.invoke();
      ByteBuffer b = it.output(0).readBuffer().order(ByteOrder.LITTLE_ENDIAN);
      got = new int[b.remaining() / 8];
      for (int i = 0; i < got.length; i++) got[i] = (int) b.getLong();
    }
    long classes = java.util.Arrays.stream(want).distinct().count();
    System.out.println(
        "DeepLab bird.bmp: "
            + layers
            + " operators equal BUILTIN alone; "
            + want.length
            + " class indices ("
            + classes
            + " classes present)");
    assertArrayEquals(want, got);
  }

  private static boolean sameOnBuiltin(LoweredGraph one, Object[] feeds, byte[] want) {
    try (TfliteModel m = TfliteModel.fromBytes(org.qat4j.tflite.TfliteWriter.write(one));
        Interpreter it = Interpreter.create(m, Interpreter.Options.builder().threads(1).build())) {
      for (int i = 0; i < feeds.length; i++) it.input(i).write((byte[]) feeds[i]);
      it.invoke();
      return java.util.Arrays.equals(want, it.output(0).readBytes());
    }
  }

  private static byte[] resize(LoweredGraph g, OperatorInfo op, byte[] bytes, byte[] x) {
    int[] s = g.tensor(op.inputs()[0]).shape(), size = (int[]) g.tensor(op.inputs()[1]).data();
    // ResizeBilinearOptions: field 2 align_corners, field 3 half_pixel_centers
    ResizeBilinearKernels.Shape sh =
        new ResizeBilinearKernels.Shape(
            s[0],
            s[1],
            s[2],
            s[3],
            size[0],
            size[1],
            PartialImport.optionFlag(bytes, op.index(), 2),
            PartialImport.optionFlag(bytes, op.index(), 3));
    System.out.println("RESIZE_BILINEAR op " + op.index() + ": " + sh);
    int[] y = new int[s[0] * size[0] * size[1] * s[3]];
    ResizeBilinearKernels.uint8(unsigned(x), y, sh);
    byte[] out = new byte[y.length];
    for (int i = 0; i < y.length; i++) out[i] = (byte) y[i];
    return out;
  }

  private static int[] unsigned(byte[] b) {
    int[] v = new int[b.length];
    for (int i = 0; i < b.length; i++) v[i] = b[i] & 0xFF;
    return v;
  }
}
