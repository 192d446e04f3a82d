package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Bad parameters of the data-movement operators and reductions are refused by the reader with a
 * message naming the operator and the fault, before any native code could read past a tensor; the
 * same operators with good parameters pass.
 */
class ShapeOpChecksTest {
  private static final QuantParams Q = QuantParams.perTensor(0.1f, 0);

  /** A one-op graph: x [2,3,4] int8 → op → outputs of the given shapes. */
  private static byte[] model(Consumer<LoweredGraphBuilder> body) {
    LoweredGraphBuilder b = new LoweredGraphBuilder("bad");
    b.addTensor(TensorSpec.activation("x", new int[] {2, 3, 4}, DType.INT8, Q));
    body.accept(b);
    int[] outs = new int[b.tensorCount() - 1];
    int k = 0;
    for (int i = 1; i < b.tensorCount(); i++) if (!b.tensor(i).isConstant()) outs[k++] = i;
    return TfliteWriter.encode(b.setInputs(0).setOutputs(Arrays.copyOf(outs, k)).build());
  }

  private static int out(LoweredGraphBuilder b, int... shape) {
    return b.addTensor(TensorSpec.activation("y" + b.tensorCount(), shape, DType.INT8, Q));
  }

  private static int ints(LoweredGraphBuilder b, int... v) {
    return b.addTensor(
        new TensorSpec("c" + b.tensorCount(), new int[] {v.length}, DType.INT32, null, v));
  }

  private static void refused(byte[] bytes, String op, String fault) {
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteReader.read(bytes));
    assertTrue(e.getMessage().contains(op) && e.getMessage().contains(fault), e.getMessage());
  }

  @Test
  void transposeRepeatedAxis() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.TRANSPOSE,
                    new int[] {0, ints(b, 0, 0, 2)},
                    new int[] {out(b, 2, 2, 4)},
                    null)),
        "TRANSPOSE",
        "not a permutation");
  }

  @Test
  void sliceBeyondDimension() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.SLICE,
                    new int[] {0, ints(b, 0, 2, 0), ints(b, 1, 2, 4)},
                    new int[] {out(b, 1, 2, 4)},
                    null)),
        "SLICE",
        "exceeds 3");
  }

  @Test
  void sliceWithAWrongDeclaredOutputShape() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.SLICE,
                    new int[] {0, ints(b, 1, 0, 0), ints(b, 1, -1, 4)},
                    new int[] {out(b, 1, 1, 1)},
                    null)),
        "SLICE",
        "output shape [1, 1, 1] should be [1, 3, 4]");
  }

  @Test
  void sliceNegativeSize() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.SLICE,
                    new int[] {0, ints(b, 0, 0, 0), ints(b, 1, -2, 4)},
                    new int[] {out(b, 1, 1, 4)},
                    null)),
        "SLICE",
        "size -2");
  }

  @Test
  void tileNegativeMultiple() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.TILE,
                    new int[] {0, ints(b, 1, -1, 1)},
                    new int[] {out(b, 2, 3, 4)},
                    null)),
        "TILE",
        "negative");
  }

  @Test
  void sumAxisOutOfRange() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.SUM,
                    new int[] {0, ints(b, 3)},
                    new int[] {out(b, 2, 3)},
                    new OpOptions.Reducer(false))),
        "SUM",
        "axes 3 is out of range");
  }

  @Test
  void unpackWrongNum() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.UNPACK,
                    new int[] {0},
                    new int[] {out(b, 2, 4), out(b, 2, 4)},
                    new OpOptions.Unpack(2, 1))),
        "UNPACK",
        "num 2");
  }

  @Test
  void gatherPositionOutOfRange() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.GATHER,
                    new int[] {0, ints(b, 0, 3)},
                    new int[] {out(b, 2, 2, 4)},
                    new OpOptions.Gather(1, 0))),
        "GATHER",
        "position 3 is outside [0, 3)");
  }

  @Test
  void gatherAxisOutOfRange() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.GATHER,
                    new int[] {0, ints(b, 0)},
                    new int[] {out(b, 2, 1, 4)},
                    new OpOptions.Gather(-4, 0))),
        "GATHER",
        "axis -4");
  }

  @Test
  void packAxisOutOfRange() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.PACK,
                    new int[] {0},
                    new int[] {out(b, 1, 2, 3, 4)},
                    new OpOptions.Pack(1, 5))),
        "PACK",
        "axis 5");
  }

  @Test
  void splitCountDiffersFromOutputs() {
    refused(
        model(
            b -> {
              int axis =
                  b.addTensor(new TensorSpec("axis", new int[0], DType.INT32, null, new int[] {2}));
              b.addOp(
                  OpKind.SPLIT,
                  new int[] {axis, 0},
                  new int[] {out(b, 2, 3, 1), out(b, 2, 3, 3)},
                  new OpOptions.Split(3));
            }),
        "SPLIT",
        "num_splits 3 with 2 outputs");
  }

  @Test
  void splitVSizesDoNotAddUp() {
    refused(
        model(
            b -> {
              int axis =
                  b.addTensor(new TensorSpec("axis", new int[0], DType.INT32, null, new int[] {2}));
              b.addOp(
                  OpKind.SPLIT_V,
                  new int[] {0, ints(b, 1, 2), axis},
                  new int[] {out(b, 2, 3, 1), out(b, 2, 3, 2)},
                  new OpOptions.SplitV(2));
            }),
        "SPLIT_V",
        "do not split dimension 2 of size 4");
  }

  @Test
  void stridedSliceShrinkOutside() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.STRIDED_SLICE,
                    new int[] {0, ints(b, 5), ints(b, 6), ints(b, 1)},
                    new int[] {out(b, 3, 4)},
                    new OpOptions.StridedSlice(0, 0, 0, 0, 1, false))),
        "STRIDED_SLICE",
        "shrink entry 0");
  }

  @Test
  void stridedSliceZeroStride() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.STRIDED_SLICE,
                    new int[] {0, ints(b, 0), ints(b, 2), ints(b, 0)},
                    new int[] {out(b, 2, 3, 4)},
                    null)),
        "STRIDED_SLICE",
        "stride is 0");
  }

  @Test
  void goodParametersPass() {
    TfliteModelInfo info =
        TfliteReader.read(
            model(
                b -> {
                  int axis =
                      b.addTensor(
                          new TensorSpec("axis", new int[0], DType.INT32, null, new int[] {-1}));
                  b.addOp(
                      OpKind.SPLIT,
                      new int[] {axis, 0},
                      new int[] {out(b, 2, 3, 2), out(b, 2, 3, 2)},
                      new OpOptions.Split(2));
                }));
    assertEquals(2, info.subgraph(0).operators().get(0).outputs().length);
  }

  /**
   * offset = true with end_mask: TFLite 2.20 sizes dimension 2 as ⌈1/1⌉ = 1 but copies the whole
   * dimension (4 values) into it, past the output.
   */
  @Test
  void stridedSliceOffsetWritingPastItsOutput() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.STRIDED_SLICE,
                    new int[] {0, ints(b, 0, 0, 0), ints(b, 2, 3, 1), ints(b, 1, 1, 1)},
                    new int[] {out(b, 2, 3, 1)},
                    new OpOptions.StridedSlice(0, 4, 0, 0, 0, true))),
        "STRIDED_SLICE",
        "copies 4 elements into dimension 2 sized 1");
  }

  /** offset = true reads end entries by dimension: a missing entry would be read past the end. */
  @Test
  void stridedSliceOffsetWithAMissingEntry() {
    refused(
        model(
            b ->
                b.addOp(
                    OpKind.STRIDED_SLICE,
                    new int[] {0, ints(b, 0, 0), ints(b, 2, 3), ints(b, 1, 1)},
                    new int[] {out(b, 2, 3, 4)},
                    new OpOptions.StridedSlice(0, 0, 0, 0, 0, true))),
        "STRIDED_SLICE",
        "entry per dimension");
  }

  /** TFLite counts a negative batch_dims from the positions' rank: -1 of [2,2] positions is 1. */
  @Test
  void gatherNegativeBatchDimsAndAnOffsetSlicePass() {
    TfliteModelInfo info =
        TfliteReader.read(
            model(
                b -> {
                  int p =
                      b.addTensor(
                          new TensorSpec(
                              "p", new int[] {2, 2}, DType.INT64, null, new long[] {0, 2, 1, 1}));
                  b.addOp(
                      OpKind.GATHER,
                      new int[] {0, p},
                      new int[] {out(b, 2, 2, 4)},
                      new OpOptions.Gather(1, -1));
                  b.addOp(
                      OpKind.STRIDED_SLICE,
                      new int[] {0, ints(b, 1, -2, 3), ints(b, 1, 2, -2), ints(b, 1, 1, -1)},
                      new int[] {out(b, 1, 2, 2)},
                      new OpOptions.StridedSlice(0, 0, 0, 0, 0, true));
                }));
    assertEquals(2, info.subgraph(0).operators().size());
    assertEquals(
        new OpOptions.Gather(1, -1), info.toLoweredGraph().ops().get(0).options(), "options");
  }

  /** L2_NORMALIZATION of a scalar: TFLite would read dimension −1. */
  @Test
  void l2NormalizationOfAScalarIsRefused() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("l2");
    int x = b.addTensor(TensorSpec.activation("x", new int[0], DType.INT8, Q));
    int y =
        b.addTensor(
            TensorSpec.activation("y", new int[0], DType.INT8, QuantParams.perTensor(1f / 128, 0)));
    b.addOp(OpKind.L2_NORMALIZATION, new int[] {x}, new int[] {y}, null);
    refused(
        TfliteWriter.encode(b.setInputs(x).setOutputs(y).build()),
        "L2_NORMALIZATION",
        "input is a scalar");
  }
}
