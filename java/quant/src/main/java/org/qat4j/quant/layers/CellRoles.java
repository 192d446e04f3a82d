package org.qat4j.quant.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FixedRangeQuantizer;

/**
 * A dry walk of a cell (no values) that finds its roles in order and each role's rule: TFLite's
 * fixed grids for LOGISTIC (1/256, −128) and TANH (1/128, 0), [0, 1] for hard_sigmoid outputs, and
 * {@code learned} for every other role.
 */
final class CellRoles implements CellOps<Object> {
  private final Quantizer learned;
  private final Map<String, Quantizer> rules = new LinkedHashMap<>();
  private int steps;

  CellRoles(Quantizer learned) {
    this.learned = learned;
  }

  /** Role → rule, in first-use order. */
  Map<String, Quantizer> rules() {
    return rules;
  }

  private Object use(String role, Quantizer rule) {
    rules.putIfAbsent(role, rule);
    return role;
  }

  @Override
  public void step(int k) {
    steps = k + 1;
  }

  @Override
  public List<Object> inputPart(String role, Cols w, float[] bias) {
    use(role, learned);
    return new ArrayList<>(List.of(role));
  }

  @Override
  public Object zeros(String role, int n) {
    return use(role, learned);
  }

  @Override
  public Object fc(String role, Object in, Cols w, float[] bias) {
    return use(role, learned);
  }

  @Override
  public Object add(String role, Object a, Object b) {
    return use(role, learned);
  }

  @Override
  public Object sub(String role, Object a, Object b) {
    return use(role, learned);
  }

  @Override
  public Object mul(String role, Object a, Object b) {
    return use(role, learned);
  }

  @Override
  public Object logistic(String role, Object a) {
    return use(role, FixedRangeQuantizer.probabilities());
  }

  @Override
  public Object tanh(String role, Object a) {
    return use(role, FixedRangeQuantizer.tanh());
  }

  @Override
  public Object hardSigmoid(String scaledRole, String role, Object a) {
    use(scaledRole, learned);
    return use(role, new FixedRangeQuantizer(8, 0f, 1f));
  }

  @Override
  public List<Object> split(Object a, int parts) {
    List<Object> l = new ArrayList<>();
    for (int i = 0; i < parts; i++) l.add(a);
    return l;
  }

  @Override
  public void output(List<Object> states, boolean sequences) {
    if (steps != 1) throw new IllegalStateException("a dry walk runs one step, ran " + steps);
  }
}
