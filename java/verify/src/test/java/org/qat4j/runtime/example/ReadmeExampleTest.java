package org.qat4j.runtime.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.examples.QuickStart;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;

/**
 * The README's Java example is the marked part of examples/…/QuickStart.java (a project of its own
 * that ./test builds against the installed artifacts); here it runs on a small slice of
 * Fashion-MNIST, and README.md must show exactly its lines.
 */
@Tag("native")
class ReadmeExampleTest {
  private static final Path EXAMPLE =
      Path.of("../../examples/src/main/java/org/qat4j/examples/QuickStart.java");
  private static final String BEGIN = "// --- README example";
  private static final String END = "// --- end of README example";

  @Test
  void readmeExampleRuns() throws Exception {
    assumeTrue(
        FashionMnist.available(), "Fashion-MNIST not installed at " + FashionMnist.defaultDir());
    QuickStart.Result r = QuickStart.run();
    assertEquals(10, r.logits().length);
    // The deployed int8 model agrees with what training simulated (fake-quant Java forward).
    try (TfliteModel m = TfliteModel.fromBytes(r.tflite());
        Interpreter it = Interpreter.create(m)) {
      int agree = 0;
      for (int i = 0; i < 20; i++) {
        float[] x = r.data().test().sample(i);
        it.input(0).writeReal(x);
        it.invoke();
        agree +=
            argmax(it.output(0).readReal())
                    == argmax(r.qat().model().predict(Tensor.of(x, 1, 28, 28, 1)).toArray())
                ? 1
                : 0;
      }
      assertTrue(agree >= 19, "int8 TFLite agreed with the fake-quant model on " + agree + "/20");
    }
  }

  /**
   * README.md's Java block is the marked part of QuickStart.run, line for line (indent removed).
   */
  @Test
  void readmeShowsTheExampleCode() throws Exception {
    Path readme = Path.of("../../README.md");
    assumeTrue(Files.exists(readme), "README.md not found at " + readme.toAbsolutePath());
    List<String> marked = new ArrayList<>();
    boolean in = false;
    for (String l : Files.readAllLines(EXAMPLE)) {
      String t = l.strip();
      if (t.startsWith(END)) break;
      if (in) marked.add(l.length() >= 4 ? l.substring(4) : l.strip());
      if (t.startsWith(BEGIN)) in = true;
    }
    assertTrue(marked.size() > 20, "no marked README example in " + EXAMPLE);
    List<String> md = Files.readAllLines(readme);
    int start = md.indexOf("## The Java API in twenty lines");
    assertTrue(start >= 0, "README has no '## The Java API in twenty lines' section");
    int open = md.subList(start, md.size()).indexOf("```java") + start + 1;
    int close = md.subList(open, md.size()).indexOf("```") + open;
    assertEquals(
        marked, md.subList(open, close), "README.md's Java example differs from " + EXAMPLE);
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
    return best;
  }
}
