package org.qat4j.tflite.edgetpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Result of {@link EdgeTpuPreflight#check}: counts, one {@link OperatorResult} per operator in
 * execution order, warnings, and for compiled models the Edge TPU segments. {@link #text()} is
 * shaped like the compiler's log; {@link #toMap()} is the JSON form. Immutable.
 */
public final class PreflightReport {
  /**
   * One operator: index in subgraph 0, name, op-code version, compiler-log status, reason (empty
   * when mapped).
   */
  public record OperatorResult(int index, String op, int version, String status, String reason) {}

  /**
   * One compiled Edge TPU segment: operator index and size of its custom_options payload in bytes.
   */
  public record Segment(int operatorIndex, int customOptionsBytes) {}

  private final boolean compiled;
  private final String description;
  private final List<OperatorResult> operators;
  private final List<String> warnings;
  private final List<Segment> segments;

  PreflightReport(
      boolean compiled,
      String description,
      List<OperatorResult> operators,
      List<String> warnings,
      List<Segment> segments) {
    this.compiled = compiled;
    this.description = description == null ? "" : description;
    this.operators = List.copyOf(operators);
    this.warnings = List.copyOf(warnings);
    this.segments = List.copyOf(segments);
  }

  /**
   * True when the model was already compiled (holds {@code edgetpu-custom-op}); then this
   * describes, not predicts.
   */
  public boolean compiled() {
    return compiled;
  }

  public int totalOps() {
    return operators.size();
  }

  /**
   * Operators that (will) run on the Edge TPU; for a compiled model, the number of custom-op
   * segments.
   */
  public int edgetpuOps() {
    return (int)
        operators.stream()
            .filter(
                o -> o.status().equals(Status.MAPPED) || o.status().equals(Status.COMPILED_SEGMENT))
            .count();
  }

  public int cpuOps() {
    return totalOps() - edgetpuOps();
  }

  /**
   * Number of Edge TPU subgraphs: 0 or 1 predicted (the compiler cuts once); the segment count when
   * compiled.
   */
  public int edgetpuSubgraphs() {
    return compiled ? segments.size() : edgetpuOps() > 0 ? 1 : 0;
  }

  public List<OperatorResult> operators() {
    return operators;
  }

  public List<String> warnings() {
    return warnings;
  }

  public List<Segment> segments() {
    return segments;
  }

  /** Per (operator, status) counts in first-seen order, as in the compiler's table. */
  public Map<String, Map<String, Integer>> statusCounts() {
    Map<String, Map<String, Integer>> m = new LinkedHashMap<>();
    for (OperatorResult o : operators)
      m.computeIfAbsent(o.op(), k -> new LinkedHashMap<>()).merge(o.status(), 1, Integer::sum);
    return m;
  }

  /**
   * A report shaped like edgetpu_compiler's log, followed by warnings and one line per operator.
   */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        compiled
            ? "Edge TPU content of a compiled model (qat4j pre-flight)\n"
            : "Edge TPU pre-flight (qat4j prediction of edgetpu_compiler 16; not the compiler)\n");
    sb.append("Model description: ").append(description).append('\n');
    if (compiled) {
      sb.append(
          "Counts are the compiled file's operators (segments and CPU operators); the original operator count is not recorded\n");
      for (Segment s : segments) {
        sb.append("Edge TPU segment: op ")
            .append(s.operatorIndex())
            .append(", custom_options ")
            .append(s.customOptionsBytes())
            .append(" bytes\n");
      }
    }
    sb.append("Number of Edge TPU subgraphs: ").append(edgetpuSubgraphs()).append('\n');
    sb.append("Total number of operations: ").append(totalOps()).append('\n');
    sb.append("Number of operations that will run on Edge TPU: ").append(edgetpuOps()).append('\n');
    sb.append("Number of operations that will run on CPU: ").append(cpuOps()).append("\n\n");
    sb.append(String.format("%-31s%-11s%s%n%n", "Operator", "Count", "Status"));
    for (Map.Entry<String, Map<String, Integer>> e : statusCounts().entrySet()) {
      for (Map.Entry<String, Integer> s : e.getValue().entrySet()) {
        sb.append(String.format("%-31s%-11d%s%n", e.getKey(), s.getValue(), s.getKey()));
      }
    }
    if (!warnings.isEmpty()) {
      sb.append("\nWarnings:\n");
      for (String w : warnings) sb.append("  ").append(w).append('\n');
    }
    sb.append(String.format("%n%-5s%-25s%-5s%s%n", "op", "operator", "ver", "status / reason"));
    for (OperatorResult o : operators) {
      sb.append(String.format("%-5d%-25s%-5d%s", o.index(), o.op(), o.version(), o.status()));
      if (!o.reason().isEmpty()) sb.append(" -- ").append(o.reason());
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * JSON-friendly form: total_ops, edgetpu_ops, cpu_ops, edgetpu_subgraphs, compiled, warnings,
   * operators, segments.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total_ops", totalOps());
    m.put("edgetpu_ops", edgetpuOps());
    m.put("cpu_ops", cpuOps());
    m.put("edgetpu_subgraphs", edgetpuSubgraphs());
    m.put("compiled", compiled);
    m.put("warnings", warnings);
    List<Map<String, Object>> ops = new ArrayList<>();
    for (OperatorResult o : operators) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("index", o.index());
      r.put("op", o.op());
      r.put("version", o.version());
      r.put("status", o.status());
      r.put("reason", o.reason());
      ops.add(r);
    }
    m.put("operators", ops);
    List<Map<String, Object>> segs = new ArrayList<>();
    for (Segment s : segments)
      segs.add(
          Map.of(
              "operator_index", s.operatorIndex(), "custom_options_bytes", s.customOptionsBytes()));
    m.put("segments", segs);
    return m;
  }

  @Override
  public String toString() {
    return text();
  }
}
