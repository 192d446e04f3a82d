package org.qat4j.ir;

/**
 * One operator of a lowered graph: kind, tensor indices (-1 for an omitted optional input) and the
 * options record of its kind ({@link OpKind#defaultOptions()} when null; another record type is
 * refused).
 */
public record OpSpec(OpKind kind, int[] inputs, int[] outputs, OpOptions options) {
  public OpSpec {
    inputs = inputs.clone();
    outputs = outputs.clone();
    if (options == null) options = kind.defaultOptions();
    if (!kind.accepts(options)) {
      throw new IllegalArgumentException(
          kind
              + " takes "
              + kind.defaultOptions().getClass().getSimpleName()
              + " options, got "
              + options.getClass().getSimpleName());
    }
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  @Override
  public int[] outputs() {
    return outputs.clone();
  }

  /** The options as {@code type}; throws naming the operator when its kind takes another record. */
  public <T> T options(Class<T> type) {
    if (!type.isInstance(options)) {
      throw new IllegalArgumentException(
          kind
              + " has "
              + options.getClass().getSimpleName()
              + " options, not "
              + type.getSimpleName());
    }
    return type.cast(options);
  }
}
