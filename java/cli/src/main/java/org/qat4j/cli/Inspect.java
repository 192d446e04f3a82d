package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.QuantizationInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * The {@code inspect --json} document: operators and tensors of every subgraph (each tagged with
 * its subgraph index). {@code scale}/{@code zero_point} are numbers for per-tensor quantization,
 * arrays for per-axis, null when the tensor is not quantized.
 */
final class Inspect {
  private Inspect() {}

  static JsonObject json(TfliteModelInfo m) {
    JsonObject r = new JsonObject();
    r.addProperty("bytes", m.fileSize());
    r.addProperty("subgraphs", m.subgraphs().size());
    r.addProperty("schema_version", m.version());
    r.addProperty("description", m.description());
    if (m.minRuntimeVersion() != null) r.addProperty("min_runtime_version", m.minRuntimeVersion());
    JsonArray ops = new JsonArray();
    JsonArray tensors = new JsonArray();
    JsonArray inputs = new JsonArray();
    JsonArray outputs = new JsonArray();
    for (SubgraphInfo s : m.subgraphs()) {
      for (OperatorInfo op : s.operators()) ops.add(op(s.index(), op));
      for (TensorInfo t : s.tensors()) tensors.add(tensor(s.index(), t));
      if (s.index() == 0) {
        for (int i : s.inputs()) inputs.add(i);
        for (int i : s.outputs()) outputs.add(i);
      }
    }
    r.add("inputs", inputs);
    r.add("outputs", outputs);
    r.add("operators", ops);
    r.add("tensors", tensors);
    JsonObject counts = new JsonObject();
    m.operatorCounts().forEach(counts::addProperty);
    r.add("operator_counts", counts);
    return r;
  }

  private static JsonObject op(int subgraph, OperatorInfo op) {
    JsonObject o = new JsonObject();
    o.addProperty("index", op.index());
    o.addProperty("op", op.custom() ? "CUSTOM" : op.opName());
    o.addProperty("version", op.version());
    if (op.custom()) o.addProperty("custom_code", op.customCode());
    o.addProperty("subgraph", subgraph);
    o.add("inputs", Json.array(op.inputs()));
    o.add("outputs", Json.array(op.outputs()));
    return o;
  }

  private static JsonObject tensor(int subgraph, TensorInfo t) {
    JsonObject o = new JsonObject();
    o.addProperty("index", t.index());
    o.addProperty("name", t.name());
    o.addProperty("type", t.typeName());
    o.add("shape", Json.array(t.shape()));
    QuantizationInfo q = t.quantization();
    if (q == null || !q.hasScales()) {
      o.add("scale", JsonNull.INSTANCE);
      o.add("zero_point", JsonNull.INSTANCE);
      o.add("quantized_dimension", JsonNull.INSTANCE);
    } else if (!q.perAxis()) {
      o.addProperty("scale", q.scales()[0]);
      long[] z = q.zeroPoints();
      o.addProperty("zero_point", z.length > 0 ? z[0] : 0);
      o.addProperty("quantized_dimension", q.quantizedDimension());
    } else {
      JsonArray sc = new JsonArray();
      for (float f : q.scales()) sc.add(f);
      JsonArray zp = new JsonArray();
      for (long z : q.zeroPoints()) zp.add(z);
      o.add("scale", sc);
      o.add("zero_point", zp);
      o.addProperty("quantized_dimension", q.quantizedDimension());
    }
    o.addProperty("constant", t.constant());
    o.addProperty("subgraph", subgraph);
    return o;
  }
}
