package org.qat4j.keras;

import java.nio.file.*;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Param;

class ProbeTest {
  @Test void probe() throws Exception {
    try (var s = Files.list(Fixtures.dir())) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (!(n.endsWith(".h5") || n.endsWith(".keras"))) continue;
        try {
          KerasImport r = n.contains("weightsonly") && Files.exists(Path.of(p.toString().replace(".h5", ".json")))
              ? KerasImporter.read(p, Path.of(p.toString().replace(".h5", ".json"))) : KerasImporter.read(p);
          long t = 0; for (Param q : r.model().trainableParams()) t += q.value().size();
          System.out.println("OK " + n + " trainable=" + t + " out=" + java.util.Arrays.toString(r.model().outputShape()) + " in=" + java.util.Arrays.toString(r.model().inputShape()) + " frozen=" + r.frozenLayers().size() + " " + r.layout() + " " + r.kerasVersion());
        } catch (Exception e) {
          System.out.println("ERR " + n + " " + e);
        }
      }
    }
  }
}
