package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.runtime.MutationFuzz;
import org.qat4j.runtime.SharedModels;
import org.qat4j.tflite.TfliteWriter;

/**
 * The fuzz guarantee for UNIDIRECTIONAL_SEQUENCE_LSTM: mutants of random int8 LSTM models ({@link
 * LstmGraphs}) and of the converted Keras LSTM either run or are refused with an exception; a JVM
 * crash ends the test run. Scale with {@code -Dqat4j.fuzz.mutants=N} (default 3,000).
 */
@Tag("native")
class LstmFuzzTest {
  @Test
  void mutantsOfLstmModelsNeverCrash() throws Exception {
    SplittableRandom r = new SplittableRandom(4444);
    List<byte[]> seeds = new ArrayList<>();
    for (int i = 0; i < 8; i++) seeds.add(TfliteWriter.write(LstmGraphs.create(r).graph()));
    Path real = SharedModels.dir().resolve("real/keras_lstm_mnist_ptq.tflite");
    if (Files.isRegularFile(real)) seeds.add(Files.readAllBytes(real));
    long n = Long.getLong("qat4j.fuzz.mutants", 3_000);
    long t0 = System.nanoTime();
    MutationFuzz.Result res = MutationFuzz.run(seeds, n, 4444L, false);
    System.out.printf(
        "LstmFuzz: %d mutants of %d seeds, 0 JVM crashes, %.1f s, outcomes %s%n",
        n, seeds.size(), (System.nanoTime() - t0) / 1e9, res.outcomes());
    assertEquals(List.of(), res.unexpected(), "unexpected exceptions");
    assertTrue(res.outcomes().getOrDefault("ran", 0L) > 0, "no mutant ran: " + res.outcomes());
  }
}
