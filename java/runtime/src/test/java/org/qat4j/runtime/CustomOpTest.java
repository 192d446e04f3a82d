package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qat4j.ir.DType;

/** Java custom operators on real TFLite: a CUSTOM op "QAT4J_SCALE2" (y = 2·x, float32). */
@Tag("native")
class CustomOpTest {
  private static final String NAME = "QAT4J_SCALE2";

  /** x[1,2,2,3] float32 → CUSTOM QAT4J_SCALE2 (version {@code version}) → y[1,2,2,3]. */
  static byte[] scale2Model(int version) {
    TinyModels m = new TinyModels();
    int x = m.tensor("x", TinyModels.FLOAT32, 0, 1, 2, 2, 3);
    int y = m.tensor("y", TinyModels.FLOAT32, 0, 1, 2, 2, 3);
    m.op(new int[] {x}, new int[] {y});
    m.inputs = new int[] {x};
    m.outputs = new int[] {y};
    m.builtin = 32;
    m.customCode = NAME;
    m.opVersion = version;
    return m.build();
  }

  /** Doubles a float32 input; output shape follows the input (so resizes work). */
  static final class Scale2 implements CustomOp {
    volatile RuntimeException failInvoke;
    int invocations;

    @Override
    public int[][] prepare(ByteBuffer opts, List<CustomOpTensor> in, List<CustomOpTensor> out) {
      if (in.size() != 1 || out.size() != 1 || in.get(0).dataType() != DType.FLOAT32) {
        throw new IllegalArgumentException("QAT4J_SCALE2 needs one float32 input and one output");
      }
      return new int[][] {in.get(0).shape()};
    }

    @Override
    public void invoke(ByteBuffer opts, List<CustomOpTensor> in, List<CustomOpTensor> out) {
      invocations++;
      if (failInvoke != null) {
        throw failInvoke;
      }
      float[] x = in.get(0).readFloats();
      for (int i = 0; i < x.length; i++) {
        x[i] *= 2f;
      }
      out.get(0).write(x);
    }
  }

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i - 5) * 0.37f;
    }
    return v;
  }

  private static Interpreter.Options options(Backend b, CustomOp op) {
    return Interpreter.Options.builder().backend(b).customOp(NAME, 1, 1, op).build();
  }

  @ParameterizedTest
  @EnumSource(names = {"BUILTIN", "XNNPACK"})
  void scale2RunsAndFollowsResize(Backend backend) {
    Scale2 op = new Scale2();
    DelegateCoverage.Latest coverage = new DelegateCoverage.Latest();
    Interpreter.Options o =
        Interpreter.Options.builder()
            .backend(backend)
            .listener(coverage)
            .customOp(NAME, 1, 1, op)
            .build();
    try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1));
        Interpreter it = Interpreter.create(model, o)) {
      assertEquals(Map.of(NAME, 1), coverage.get().cpuOpCounts(), coverage.get()::summary);
      float[] x = ramp(12);
      it.input(0).write(x);
      it.invoke();
      float[] y = it.output(0).readFloats();
      for (int i = 0; i < x.length; i++) {
        assertEquals(2 * x[i], y[i], 0f, "element " + i);
      }
      it.resizeInput(0, 2, 2, 2, 3);
      assertArrayEquals(new int[] {2, 2, 2, 3}, it.output(0).shape());
      float[] x2 = ramp(24);
      it.input(0).write(x2);
      it.invoke();
      assertEquals(2 * x2[23], it.output(0).readFloats()[23], 0f);
      assertEquals(2, op.invocations);
      assertTrue(CustomOps.liveCount() >= 1);
    }
  }

  @Test
  void closeReleasesTheNativeOperators() {
    int before = CustomOps.liveCount();
    try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1));
        Interpreter it =
            Interpreter.create(
                model, Interpreter.Options.builder().customOp(NAME, 1, 3, new Scale2()).build())) {
      assertEquals(before + 3, CustomOps.liveCount(), "one operator per version 1..3");
    }
    assertEquals(before, CustomOps.liveCount());
  }

  @Test
  void exceptionInInvokeIsRethrownWithTheOpNameAndTheInterpreterRecovers() {
    Scale2 op = new Scale2();
    try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1));
        Interpreter it = Interpreter.create(model, options(Backend.BUILTIN, op))) {
      it.input(0).write(ramp(12));
      IllegalStateException boom = new IllegalStateException("boom");
      op.failInvoke = boom;
      TfliteException e = assertThrows(TfliteException.class, it::invoke);
      assertEquals("TfLiteInterpreterInvoke", e.step());
      assertTrue(
          e.getMessage().contains("custom op 'QAT4J_SCALE2' version 1 threw"), e::getMessage);
      assertSame(boom, e.getCause());
      op.failInvoke = null;
      it.invoke();
      assertEquals(-5 * 0.37f * 2, it.output(0).readFloats()[0], 0f);
    }
  }

  @Test
  void exceptionInPrepareFailsCreationWithTheOpName() {
    CustomOp bad =
        new CustomOp() {
          @Override
          public int[][] prepare(
              ByteBuffer opts, List<CustomOpTensor> in, List<CustomOpTensor> out) {
            return new int[][] {{1, 0, 3}};
          }

          @Override
          public void invoke(ByteBuffer opts, List<CustomOpTensor> in, List<CustomOpTensor> out) {}
        };
    try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1))) {
      TfliteException e =
          assertThrows(
              TfliteException.class,
              () -> Interpreter.create(model, options(Backend.BUILTIN, bad)));
      assertTrue(e.getMessage().contains("QAT4J_SCALE2"), e::getMessage);
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("dimension 0 outside [1, 2^20]"));
    }
  }

  @Test
  void tensorViewsCheckTypesWritesAndLifetime() {
    AtomicReference<CustomOpTensor> kept = new AtomicReference<>();
    CustomOp op =
        (opts, in, out) -> {
          kept.set(in.get(0));
          IllegalStateException ro =
              assertThrows(IllegalStateException.class, () -> in.get(0).write(new float[12]));
          assertTrue(ro.getMessage().contains("not writable"), ro::getMessage);
          out.get(0).write(new byte[48]);
        };
    try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1));
        Interpreter it = Interpreter.create(model, options(Backend.BUILTIN, op))) {
      TfliteException e = assertThrows(TfliteException.class, it::invoke);
      assertTrue(e.getCause().getMessage().contains("byte[] needs a one-byte type"), e::getMessage);
      assertThrows(IllegalStateException.class, () -> kept.get().shape());
    }
  }

  @Test
  void withoutRegistrationOrWithAnotherVersionTheOpIsUnresolved() {
    for (Interpreter.Options o :
        List.of(
            Interpreter.Options.defaults(),
            Interpreter.Options.builder().customOp(NAME, 2, 4, new Scale2()).build())) {
      try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1))) {
        TfliteException e = assertThrows(TfliteException.class, () -> Interpreter.create(model, o));
        assertTrue(e.getMessage().contains("unresolved custom op [QAT4J_SCALE2]"), e::getMessage);
      }
    }
  }

  @Test
  void registrationsAreValidatedBeforeNativeCode() {
    Interpreter.Options.Builder b =
        Interpreter.Options.builder().customOp(NAME, 1, 1, new Scale2());
    assertThrows(NullPointerException.class, () -> b.customOp(null, 1, 1, new Scale2()));
    assertThrows(NullPointerException.class, () -> b.customOp("X", 1, 1, null));
    assertThrows(IllegalArgumentException.class, () -> b.customOp("", 1, 1, new Scale2()));
    assertThrows(IllegalArgumentException.class, () -> b.customOp("A B", 1, 1, new Scale2()));
    assertThrows(IllegalArgumentException.class, () -> b.customOp("X", 0, 1, new Scale2()));
    assertThrows(IllegalArgumentException.class, () -> b.customOp("X", 3, 2, new Scale2()));
    assertThrows(IllegalArgumentException.class, () -> b.customOp("X", 1, 65, new Scale2()));
    IllegalArgumentException dup =
        assertThrows(IllegalArgumentException.class, () -> b.customOp(NAME, 2, 2, new Scale2()));
    assertTrue(dup.getMessage().contains("registered twice"), dup::getMessage);
    Interpreter.Options isolated = b.isolated(true).build();
    try (TfliteModel model = TfliteModel.fromBytes(scale2Model(1))) {
      assertThrows(IllegalArgumentException.class, () -> Interpreter.create(model, isolated));
    }
  }
}
