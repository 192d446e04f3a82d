package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;

@Tag("native")
class InterpreterTest {
  static float[] floatFcReference(float[] x) {
    float[] y = new float[3];
    for (int o = 0; o < 3; o++) {
      y[o] = TinyModels.B[o];
      for (int i = 0; i < 4; i++) {
        y[o] += x[i] * TinyModels.W[o * 4 + i];
      }
    }
    return y;
  }

  @Test
  void floatFcMatchesJavaOnBuiltinAndXnnpack() {
    float[] x = {1f, -2f, 0.5f, 3f};
    float[] ref = floatFcReference(x);
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build())) {
      for (Backend b : new Backend[] {Backend.BUILTIN, Backend.XNNPACK}) {
        DelegateCoverage.Latest cov = new DelegateCoverage.Latest();
        try (Interpreter it =
            Interpreter.create(
                m, Interpreter.Options.builder().backend(b).threads(1).listener(cov).build())) {
          it.input("x").write(x);
          it.invoke();
          assertArrayEquals(ref, it.output("y").readFloats(), 1e-6f, b.name());
          assertEquals(b == Backend.XNNPACK, cov.get().delegated(), cov.get().summary());
        }
      }
    }
  }

  @Test
  void int8FcEqualsJavaReferenceOnBothBackends() {
    byte[] x = {
      3, -5, 9, 0
    }; // accumulators chosen without .5 ties (tie rounding differs between kernels)
    byte[] ref = TinyModels.int8FcReference(x);
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build())) {
      for (Backend b : new Backend[] {Backend.BUILTIN, Backend.XNNPACK}) {
        DelegateCoverage.Latest cov = new DelegateCoverage.Latest();
        try (Interpreter it =
            Interpreter.create(m, Interpreter.Options.builder().backend(b).listener(cov).build())) {
          TensorView in = it.input(0);
          assertEquals(DType.INT8, in.dataType());
          assertEquals(QuantParams.perTensor(0.5f, -1), in.quantization());
          it.input(0).write(x);
          it.invoke();
          assertArrayEquals(ref, it.output(0).readBytes(), b + " " + cov.get());
          float[] real = it.output(0).readReal();
          for (int i = 0; i < 3; i++) {
            assertEquals(1f * (ref[i] - 2), real[i], 0f);
          }
          assertEquals(b == Backend.XNNPACK, cov.get().delegated(), cov.get().summary());
        }
      }
    }
  }

  @Test
  void wrongTypeShapeIndexAndNameGiveClearExceptions() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> it.input(0).write(new float[5]));
      assertTrue(e.getMessage().contains("needs 4 elements"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> it.input(0).write(new byte[16]));
      assertTrue(e.getMessage().contains("FLOAT32"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> it.input(0).write(new int[4]));
      assertTrue(e.getMessage().contains("int[]"), e.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> it.input(1).write(new float[4]));
      assertThrows(IndexOutOfBoundsException.class, () -> it.input(-1).write(new float[4]));
      assertThrows(IndexOutOfBoundsException.class, () -> it.output(1).readFloats());
      e = assertThrows(IllegalArgumentException.class, () -> it.input("nope").write(new float[4]));
      assertTrue(e.getMessage().contains("[x]"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> it.output(0).readBytes());
      assertThrows(IllegalArgumentException.class, () -> it.resizeInput(0, 0, 4));
      assertThrows(IllegalArgumentException.class, () -> it.resizeInput(0, 1 << 20, 1 << 20));
    }
  }

  @Test
  void byteBufferInputAndResize() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m)) {
      it.resizeInput(0, 2, 4);
      assertArrayEquals(new int[] {2, 4}, it.input(0).shape());
      float[] x = {1, 2, 3, 4, -1, 0, 1, 0.5f};
      ByteBuffer bb = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : x) {
        bb.putFloat(f);
      }
      bb.flip();
      it.input(0).write(bb);
      it.invoke();
      float[] y = it.output(0).readFloats();
      assertEquals(6, y.length);
      assertArrayEquals(
          floatFcReference(new float[] {-1, 0, 1, 0.5f}),
          java.util.Arrays.copyOfRange(y, 3, 6),
          1e-6f);
      ByteBuffer raw = it.output(0).readBuffer();
      assertEquals(y[0], raw.getFloat(0));
    }
  }

  @Test
  void concurrentUseFromSecondThreadThrows() throws Exception {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m)) {
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread holder =
          new Thread(
              () ->
                  it.holdGuard(
                      () -> {
                        inside.countDown();
                        try {
                          release.await();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }),
              "holder");
      holder.start();
      inside.await();
      IllegalStateException e = assertThrows(IllegalStateException.class, it::invoke);
      assertTrue(e.getMessage().contains("holder"), e.getMessage());
      release.countDown();
      holder.join();
      AtomicReference<Throwable> err = new AtomicReference<>();
      Thread later =
          new Thread(
              () -> {
                try {
                  it.input(0).write(new float[4]);
                  it.invoke();
                } catch (Throwable t) {
                  err.set(t);
                }
              });
      later.start();
      later.join();
      assertNull(err.get(), "sequential hand-over to another thread is allowed");
    }
  }

  @Test
  void modelAndDelegateOutliveTheirOwnersUntilInterpretersClose() {
    TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
    Delegate d = Delegate.create(Backend.XNNPACK, java.util.Map.of(), 1);
    Interpreter a = Interpreter.create(m, Interpreter.Options.builder().delegate(d).build());
    DelegateCoverage.Latest cov = new DelegateCoverage.Latest();
    Interpreter b =
        Interpreter.create(m, Interpreter.Options.builder().delegate(d).listener(cov).build());
    m.close();
    d.close();
    assertFalse(m.isReleased());
    assertFalse(d.isFreed());
    a.input(0).write(new float[] {1, 1, 1, 1});
    a.invoke();
    a.close();
    assertFalse(d.isFreed(), "b still uses the delegate");
    b.input(0).write(new float[] {1, 2, 3, 4});
    b.invoke();
    assertArrayEquals(floatFcReference(new float[] {1, 2, 3, 4}), b.output(0).readFloats(), 1e-6f);
    assertTrue(cov.get().delegated());
    b.close();
    assertTrue(d.isFreed());
    assertTrue(m.isReleased());
    assertThrows(IllegalStateException.class, () -> Interpreter.create(m));
    assertThrows(IllegalStateException.class, b::invoke);
    b.close();
  }

  @Test
  void modelSummaryCountsAndNamesTheOperators() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build())) {
      assertEquals(java.util.List.of("FULLY_CONNECTED"), m.operatorNames());
      assertEquals(1, m.operatorCount());
      assertEquals(4, m.tensorCount());
      assertThrows(UnsupportedOperationException.class, () -> m.operatorNames().add("ADD"));
    }
  }

  @Test
  void anyTensorByModelIndexIsBoundsChecked() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
        Interpreter it = Interpreter.create(m)) {
      assertEquals(4, m.tensorCount());
      TensorView w = it.tensor(1);
      assertEquals("w", w.name());
      assertArrayEquals(TinyModels.WQ, it.tensor(1).readBuffer().array());
      assertEquals(0.125f, it.tensor(2).quantization().scale());
      assertThrows(IndexOutOfBoundsException.class, () -> it.tensor(4));
      assertThrows(IndexOutOfBoundsException.class, () -> it.tensor(-1));
    }
  }

  @Test
  void quantizerRoundsHalfAwayAndSaturates() {
    QuantParams q = QuantParams.perTensor(0.5f, -1);
    byte[] b = AffineCodec.quantize(new float[] {0.25f, -0.25f, 1000f, -1000f, 1f}, q, DType.INT8);
    assertArrayEquals(new byte[] {0, -2, 127, -128, 1}, b);
    assertArrayEquals(
        new float[] {0.5f, -0.5f, 64f, -63.5f, 1f}, AffineCodec.dequantize(b, q, DType.INT8));
    QuantParams u = QuantParams.perTensor(1f, 128);
    assertArrayEquals(
        new byte[] {(byte) 255, 0},
        AffineCodec.quantize(new float[] {500f, -500f}, u, DType.UINT8));
    assertThrows(
        IllegalStateException.class,
        () ->
            AffineCodec.quantize(
                new float[1], QuantParams.perAxis(new float[] {1, 2}, 0), DType.INT8));
    assertThrows(
        IllegalStateException.class, () -> AffineCodec.dequantize(new byte[1], null, DType.INT8));
  }
}
