package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;

/** The tensor views, input checks and listeners of the InterpreterApi-shaped runtime API. */
@Tag("native")
class TensorViewTest {
  private static Interpreter.Options checked() {
    return Interpreter.Options.builder().checkInputs(true).build();
  }

  @Test
  void checkInputsRejectsNanAndInfinityNamingTensorAndElement() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m, checked())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> it.input(0).writeReal(new float[] {1, Float.NaN, 0, 0}));
      assertTrue(
          e.getMessage().contains("input 0 'x'") && e.getMessage().contains("element 1 is NaN"),
          e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> it.input("x").write(new float[] {0, 0, 0, Float.NEGATIVE_INFINITY}));
      assertTrue(e.getMessage().contains("element 3 is -Infinity"), e.getMessage());
      it.input(0).writeReal(new float[] {1, 2, 3, 4});
      it.invoke();
      assertArrayEquals(
          InterpreterTest.floatFcReference(new float[] {1, 2, 3, 4}),
          it.output(0).readReal(),
          1e-6f);
    }
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
        Interpreter it = Interpreter.create(m, checked())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> it.input(0).writeReal(new float[] {0, 0, Float.POSITIVE_INFINITY, 0}));
      assertTrue(
          e.getMessage().contains("input 0") && e.getMessage().contains("element 2 is Infinity"),
          e.getMessage());
    }
  }

  @Test
  void withoutCheckInputsNonFiniteValuesAreWrittenAsGiven() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it = Interpreter.create(m)) {
      assertFalse(it.options().checkInputs());
      it.input(0).writeReal(new float[] {Float.NaN, 0, 0, 0});
      it.invoke();
      assertTrue(Float.isNaN(it.output(0).readFloats()[0]), "NaN propagates when the check is off");
    }
  }

  @Test
  void viewsDescribeTheTensorAndFollowResize() {
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.int8Fc().build());
        Interpreter it = Interpreter.create(m)) {
      TensorView in = it.input(0);
      assertEquals(DType.INT8, in.dataType());
      assertEquals(4, in.numElements());
      assertEquals(4, in.numBytes());
      assertEquals(in.name(), it.input(in.name()).name());
      assertTrue(
          in.toString().startsWith("input 0 '" + in.name() + "' INT8[1, 4] scale=0.5"),
          in.toString());
      it.resizeInput(0, 3, 4);
      assertArrayEquals(
          new int[] {3, 4}, in.shape(), "the view re-reads TFLite's tensor after a resize");
      assertEquals(12, in.numBytes());
      assertEquals(9, it.output(0).readBytes().length);
    }
  }

  @Test
  void onlyInputsAreWritableAndClosedInterpretersRefuseViews() {
    TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
    Interpreter it = Interpreter.create(m);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> it.output(0).write(new float[3]));
    assertTrue(
        e.getMessage().contains("output 0") && e.getMessage().contains("only inputs"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> it.tensor(1).write(new float[12]));
    assertThrows(IllegalArgumentException.class, () -> it.output("nope"));
    TensorView in = it.input(0);
    it.close();
    m.close();
    e = assertThrows(IllegalStateException.class, in::shape);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> in.write(new float[4]));
  }

  @Test
  void listenersReceiveCoverageOnCreateAndResizeAndOperatorTimes() {
    List<DelegateCoverage> seen = new ArrayList<>();
    List<String> untimed = new ArrayList<>();
    InterpreterListener coverage =
        new InterpreterListener() {
          @Override
          public void coverage(DelegateCoverage c) {
            seen.add(c);
          }

          @Override
          public void operatorTimed(String op, long nanos) {
            untimed.add(op); // never called: this listener does not ask for timings
          }
        };
    InterpreterListener throwing =
        new InterpreterListener() {
          @Override
          public boolean timesOperators() {
            return true;
          }

          @Override
          public void operatorTimed(String op, long nanos) {
            throw new IllegalStateException("listener bug");
          }
        };
    OpProfile profile = new OpProfile();
    try (TfliteModel m = TfliteModel.fromBytes(TinyModels.floatFc().build());
        Interpreter it =
            Interpreter.create(
                m,
                Interpreter.Options.builder()
                    .backend(Backend.XNNPACK)
                    .listener(coverage)
                    .listener(throwing)
                    .listener(profile)
                    .build())) {
      assertEquals(1, seen.size());
      assertTrue(seen.get(0).delegated(), seen.get(0).summary());
      it.input(0).write(new float[4]);
      it.invoke();
      it.invoke();
      long timed = profile.table().stream().mapToLong(OpStats::count).sum();
      assertTrue(timed >= 2, "two invokes, at least one timed operator each: " + profile.table());
      profile.reset();
      assertEquals(List.of(), profile.table());
      it.resizeInput(0, 2, 4);
      assertEquals(2, seen.size(), "coverage is reported again after a resize");
      assertEquals(List.of(), untimed);
    }
  }

  /** Issue 12 asks for at most ~15 public methods; the InterpreterApi shape keeps it at 13. */
  @Test
  void interpreterHasASmallPublicSurface() {
    List<String> methods =
        Arrays.stream(Interpreter.class.getDeclaredMethods())
            .filter(x -> Modifier.isPublic(x.getModifiers()))
            .map(Method::getName)
            .sorted()
            .toList();
    assertTrue(methods.size() <= 15, methods.size() + " public methods: " + methods);
    assertEquals(
        List.of(
            "close",
            "create",
            "create",
            "input",
            "input",
            "inputCount",
            "invoke",
            "options",
            "output",
            "output",
            "outputCount",
            "resizeInput",
            "tensor"),
        methods);
  }
}
