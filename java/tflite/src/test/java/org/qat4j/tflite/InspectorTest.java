package org.qat4j.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InspectorTest {
  @Test
  void reportNamesOpsTensorsAndQuantization() throws Exception {
    TfliteModelInfo m = TfliteReader.read(SharedModels.path(SharedModels.MOBILENET));
    String r = TfliteInspector.report(m);
    assertTrue(r.contains("description \"MLIR Converted.\""), r);
    assertTrue(r.contains("min_runtime_version (buffer"), r);
    assertTrue(r.contains("= \"1.5.0\""), r);
    assertTrue(r.contains("input  #"), r);
    assertTrue(r.contains("'input' UINT8[1, 128, 128, 3] [scale 0.0078125, zp 128]"), r);
    assertEquals(
        31,
        r.lines()
            .filter(
                l ->
                    l.matches(
                        "\\s+\\d+\\s+(CONV_2D|DEPTHWISE_CONV_2D|AVERAGE_POOL_2D|RESHAPE|SOFTMAX)\\s.*"))
            .count());
    assertEquals(89, r.lines().filter(l -> l.matches("\\s+\\d+\\s+(UINT8|INT32)\\s.*")).count());
  }

  @Test
  void edgetpuReportShowsCustomOp() throws Exception {
    String r =
        TfliteInspector.report(
            TfliteReader.read(SharedModels.path(SharedModels.MOBILENET_EDGETPU)));
    assertTrue(r.contains("edgetpu-custom-op"), r);
    assertTrue(r.contains("custom_options=778324 bytes"), r);
  }

  @Test
  @SuppressWarnings("unchecked")
  void mapIsJsonFriendly() throws Exception {
    Map<String, Object> m =
        TfliteInspector.toMap(TfliteReader.read(SharedModels.path(SharedModels.MOBILENET)));
    assertEquals(3, m.get("version"));
    List<Object> subs = (List<Object>) m.get("subgraphs");
    Map<String, Object> s0 = (Map<String, Object>) subs.get(0);
    assertEquals(89, ((List<Object>) s0.get("tensors")).size());
    assertEquals(31, ((List<Object>) s0.get("operators")).size());
    assertJsonTypes(m);
  }

  @SuppressWarnings("unchecked")
  private static void assertJsonTypes(Object o) {
    if (o instanceof Map<?, ?> mm) {
      for (Map.Entry<?, ?> e : mm.entrySet()) {
        assertTrue(e.getKey() instanceof String);
        assertJsonTypes(e.getValue());
      }
    } else if (o instanceof List<?> l) {
      for (Object x : l) assertJsonTypes(x);
    } else {
      assertTrue(
          o instanceof String || o instanceof Number || o instanceof Boolean,
          "not JSON-friendly: " + o);
    }
  }
}
