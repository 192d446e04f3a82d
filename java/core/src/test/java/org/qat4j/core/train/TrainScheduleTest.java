package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainScheduleTest {
  @Test
  void constant() {
    assertEquals(0.01, LrSchedule.constant(0.01).at(12345), 0);
  }

  @Test
  void stepDecay() {
    LrSchedule s = LrSchedule.step(1.0, 10, 0.1);
    assertEquals(1.0, s.at(0), 1e-12);
    assertEquals(1.0, s.at(9), 1e-12);
    assertEquals(0.1, s.at(10), 1e-12);
    assertEquals(0.01, s.at(25), 1e-12);
  }

  @Test
  void cosineWithWarmup() {
    LrSchedule s = LrSchedule.cosine(1.0, 4, 14, 0.0);
    assertEquals(0.25, s.at(0), 1e-12);
    assertEquals(1.0, s.at(3), 1e-12);
    assertEquals(1.0, s.at(4), 1e-12);
    assertEquals(0.5, s.at(9), 1e-12); // halfway through the 10 decay steps
    assertEquals(0.0, s.at(14), 1e-12);
    assertEquals(0.0, s.at(100), 1e-12);
    LrSchedule m = LrSchedule.cosine(1.0, 0, 10, 0.1);
    assertEquals(0.55, m.at(5), 1e-12);
  }

  @Test
  void jsonRoundTrip() {
    for (LrSchedule s :
        new LrSchedule[] {
          LrSchedule.constant(3e-4),
          LrSchedule.step(0.1, 7, 0.5),
          LrSchedule.cosine(0.1, 3, 50, 1e-4)
        }) {
      assertEquals(s, LrSchedule.fromJson(s.toJson()));
    }
  }

  @Test
  void invalidSchedules() {
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(0.1, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(0.1, 20, 10, 0));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(Double.NaN));
  }
}
