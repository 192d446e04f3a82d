package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/RELIABILITY.md: one row per bad input, each run through the real
 * CLI in-process. Every row asserts the exit code, the one-line message on stderr, and that the
 * fixture folder — every input and every previous output — is byte-identical afterwards, with no
 * partial or temporary file left. Rows marked "disk full" run with {@link Outputs#faultHook}
 * failing the write after 1 000 bytes as a full disk does ("No space left on device").
 */
class CliBadInputTest {
  static BadInputFixture fx;

  /**
   * kind: the catalogue group; args use {f:NAME} for fixture files and {data} for the real
   * Fashion-MNIST folder.
   */
  record Row(String kind, String name, String args, int code, String message, boolean diskFull) {
    @Override
    public String toString() {
      return kind + ": " + name;
    }
  }

  @BeforeAll
  static void fixture() throws IOException {
    fx = new BadInputFixture(Files.createTempDirectory("qat4j-bad-input"));
  }

  @AfterAll
  static void clean() throws IOException {
    try (Stream<Path> s = Files.walk(fx.dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @AfterEach
  void noFault() {
    Outputs.faultHook = UnaryOperator.identity();
  }

  static Stream<Row> rows() {
    return CliBadInputRows.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void badInputIsRefusedAndChangesNothing(Row row) throws IOException {
    if (row.args().contains("{data}") || row.args().contains("{f:data-")) {
      assumeTrue(
          Args.hasFashionMnist(BadInputFixture.FMNIST),
          "Fashion-MNIST not installed: sudo apt-get install dataset-fashion-mnist");
    }
    Map<String, String> before = fx.digest();
    if (row.diskFull()) Outputs.faultHook = BadInputFixture::diskFullAfter1000Bytes;
    CliRun r = CliRun.of(expand(row.args()));
    assertEquals(row.code(), r.code(), row + "\n" + r);
    assertTrue(r.err().contains(row.message()), "message '" + row.message() + "' missing:\n" + r);
    assertTrue(r.out().isEmpty(), "stdout must stay empty on failure without --json:\n" + r);
    if (row.code() == CliException.USAGE)
      assertEquals(1, r.errLines(), "one line on stderr:\n" + r);
    assertEquals(
        before,
        fx.digest(),
        row
            + ": the fixture folder changed (input modified, partial or temporary file left)\n"
            + r);
  }

  static String[] expand(String args) {
    List<String> out = new ArrayList<>();
    for (String a : args.split(" ")) {
      StringBuilder b = new StringBuilder();
      int i = 0;
      while (i < a.length()) {
        if (a.startsWith("{f:", i)) {
          int end = a.indexOf('}', i);
          b.append(fx.s(a.substring(i + 3, end)));
          i = end + 1;
        } else if (a.startsWith("{data}", i)) {
          b.append(BadInputFixture.FMNIST);
          i += 6;
        } else {
          b.append(a.charAt(i++));
        }
      }
      out.add(b.toString());
    }
    return out.toArray(new String[0]);
  }
}
