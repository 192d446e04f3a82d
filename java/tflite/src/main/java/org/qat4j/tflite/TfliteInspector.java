package org.qat4j.tflite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Human-readable and JSON-friendly views of a {@link TfliteModelInfo}: {@link #report} gives the
 * text the CLI prints (model header, metadata, operator table, tensor table with quantization);
 * {@link #toMap} gives nested maps/lists of strings, numbers and booleans for a JSON writer.
 */
public final class TfliteInspector {
  private TfliteInspector() {}

  /** Full text report of every subgraph. */
  public static String report(TfliteModelInfo m) {
    StringBuilder sb = new StringBuilder();
    long data = 0;
    for (BufferInfo b : m.buffers()) data += b.size();
    sb.append("model: schema v")
        .append(m.version())
        .append(", ")
        .append(m.fileSize())
        .append(" bytes, description \"")
        .append(m.description())
        .append("\"\n");
    sb.append("buffers: ")
        .append(m.buffers().size())
        .append(" (")
        .append(data)
        .append(" bytes of data)\n");
    for (MetadataInfo md : m.metadata()) {
      sb.append("metadata: ")
          .append(md.name())
          .append(" (buffer ")
          .append(md.buffer())
          .append(", ")
          .append(md.size())
          .append(" bytes)");
      if (md.name().equals("min_runtime_version"))
        sb.append(" = \"").append(m.minRuntimeVersion()).append('"');
      sb.append('\n');
    }
    sb.append("operators: ").append(m.operatorCounts()).append('\n');
    for (SubgraphInfo s : m.subgraphs()) subgraph(sb, s);
    return sb.toString();
  }

  private static void subgraph(StringBuilder sb, SubgraphInfo s) {
    sb.append("\nsubgraph ")
        .append(s.index())
        .append(" \"")
        .append(s.name())
        .append("\": ")
        .append(s.tensors().size())
        .append(" tensors, ")
        .append(s.operators().size())
        .append(" operators\n");
    for (int i : s.inputs()) sb.append("  input  ").append(tensorLine(s.tensor(i))).append('\n');
    for (int i : s.outputs()) sb.append("  output ").append(tensorLine(s.tensor(i))).append('\n');
    operatorTable(sb, s);
    tensorTable(sb, s);
  }

  private static void operatorTable(StringBuilder sb, SubgraphInfo s) {
    sb.append(
        String.format(
            "%n  %-4s %-22s %-4s %-20s %-8s %s%n",
            "op", "name", "ver", "inputs", "outputs", "options"));
    for (OperatorInfo op : s.operators()) {
      String opts =
          op.custom()
              ? "custom_options=" + op.customOptionsSize() + " bytes"
              : options(op.options());
      sb.append(
          String.format(
              "  %-4d %-22s %-4d %-20s %-8s %s%n",
              op.index(),
              op.opName(),
              op.version(),
              Arrays.toString(op.inputs()),
              Arrays.toString(op.outputs()),
              opts));
    }
  }

  private static void tensorTable(StringBuilder sb, SubgraphInfo s) {
    sb.append(
        String.format(
            "%n  %-4s %-8s %-18s %-14s %s%n",
            "t", "type", "shape", "buffer", "name / quantization"));
    for (TensorInfo t : s.tensors()) {
      String buf = t.constant() ? t.buffer() + ":" + t.bufferBytes() + "B" : "-";
      sb.append(
          String.format(
              "  %-4d %-8s %-18s %-14s %s%s%n",
              t.index(),
              t.typeName(),
              Arrays.toString(t.shape()),
              buf,
              t.name(),
              t.quantization() == null ? "" : "  " + quant(t.quantization())));
    }
  }

  private static String tensorLine(TensorInfo t) {
    return "#"
        + t.index()
        + " '"
        + t.name()
        + "' "
        + t.typeName()
        + Arrays.toString(t.shape())
        + (t.quantization() == null ? "" : " " + quant(t.quantization()));
  }

  static String quant(QuantizationInfo q) {
    if (!q.hasScales())
      return "[range " + Arrays.toString(q.min()) + ".." + Arrays.toString(q.max()) + "]";
    float[] s = q.scales();
    long[] z = q.zeroPoints();
    if (!q.perAxis()) return "[scale " + s[0] + ", zp " + (z.length > 0 ? z[0] : 0) + "]";
    float lo = Float.MAX_VALUE, hi = 0;
    for (float v : s) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return "[per-axis dim "
        + q.quantizedDimension()
        + ", "
        + s.length
        + " scales "
        + lo
        + ".."
        + hi
        + "]";
  }

  /**
   * Compact options: "SAME stride 2x2 RELU6"; dilation only when not 1, other fields as key=value.
   */
  private static String options(Map<String, Object> o) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Object> e : o.entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      switch (k) {
        case "padding" -> parts.add(v.toString());
        case "stride_h" -> parts.add("stride " + v + "x" + o.get("stride_w"));
        case "filter_height" -> parts.add("filter " + v + "x" + o.get("filter_width"));
        case "dilation_h_factor" -> {
          if (!(v.equals(1) && o.get("dilation_w_factor").equals(1)))
            parts.add("dilation " + v + "x" + o.get("dilation_w_factor"));
        }
        case "stride_w", "filter_width", "dilation_w_factor" -> {}
        case "fused_activation_function" -> {
          if (!"NONE".equals(v)) parts.add(v.toString());
        }
        default -> parts.add(k + "=" + v);
      }
    }
    return String.join(" ", parts);
  }

  /** The model as nested maps and lists (JSON-friendly: String, Number, Boolean, List, Map). */
  public static Map<String, Object> toMap(TfliteModelInfo m) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("version", m.version());
    r.put("description", m.description());
    r.put("fileSize", m.fileSize());
    r.put("buffers", m.buffers().size());
    List<Object> meta = new ArrayList<>();
    for (MetadataInfo md : m.metadata())
      meta.add(Map.of("name", md.name(), "buffer", md.buffer(), "size", md.size()));
    r.put("metadata", meta);
    if (m.minRuntimeVersion() != null) r.put("minRuntimeVersion", m.minRuntimeVersion());
    r.put("operatorCounts", new LinkedHashMap<>(m.operatorCounts()));
    List<Object> subs = new ArrayList<>();
    for (SubgraphInfo s : m.subgraphs()) subs.add(subgraphMap(s));
    r.put("subgraphs", subs);
    return r;
  }

  private static Map<String, Object> subgraphMap(SubgraphInfo s) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", s.name());
    r.put("inputs", ints(s.inputs()));
    r.put("outputs", ints(s.outputs()));
    List<Object> ops = new ArrayList<>();
    for (OperatorInfo op : s.operators()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("name", op.opName());
      o.put("builtinCode", op.builtinCode());
      o.put("custom", op.custom());
      o.put("version", op.version());
      o.put("inputs", ints(op.inputs()));
      o.put("outputs", ints(op.outputs()));
      o.put("options", new LinkedHashMap<>(op.options()));
      if (op.custom()) o.put("customOptionsSize", op.customOptionsSize());
      ops.add(o);
    }
    r.put("operators", ops);
    List<Object> ts = new ArrayList<>();
    for (TensorInfo t : s.tensors()) ts.add(tensorMap(t));
    r.put("tensors", ts);
    return r;
  }

  private static Map<String, Object> tensorMap(TensorInfo t) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", t.name());
    o.put("type", t.typeName());
    o.put("shape", ints(t.shape()));
    o.put("buffer", t.buffer());
    o.put("bufferBytes", t.bufferBytes());
    QuantizationInfo q = t.quantization();
    if (q != null) {
      Map<String, Object> qm = new LinkedHashMap<>();
      List<Object> sc = new ArrayList<>();
      for (float f : q.scales()) sc.add(f);
      List<Object> zp = new ArrayList<>();
      for (long z : q.zeroPoints()) zp.add(z);
      qm.put("scales", sc);
      qm.put("zeroPoints", zp);
      qm.put("quantizedDimension", q.quantizedDimension());
      o.put("quantization", qm);
    }
    return o;
  }

  private static List<Object> ints(int[] a) {
    List<Object> l = new ArrayList<>();
    for (int v : a) l.add(v);
    return l;
  }
}
