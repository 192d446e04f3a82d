package org.qat4j.quant;

/** What the quantization registry does with a layer type. */
public enum Treatment {
  /** Model input: an all-values quantizer after it. */
  INPUT,
  /** Kernel fake-quant (the scheme's weight rule) and an output quantizer. */
  WEIGHTS_AND_OUTPUT,
  /** Output quantizer only (Add, ReLU, ReLU6, HardSwish, GlobalAveragePooling2D). */
  OUTPUT,
  /** Output uses the input's range (TFLite requires equal params: AveragePool2D). */
  SHARE_INPUT_RANGE,
  /**
   * Exact on quantized values, so the output keeps the input's params (MaxPool2D, Flatten, Reshape,
   * ZeroPadding2D, Dropout).
   */
  PASS_THROUGH,
  /** Fixed output params (Softmax, Sigmoid: scale 1/256, zero point −128). */
  FIXED_OUTPUT,
  /** One output range shared with every input (Concatenate). */
  CONCAT,
  /** Cannot be quantized on its own (the row's note says why). */
  UNSUPPORTED,
  /**
   * Fixed output params (1/128, 0), the int8 spec's TANH output: range [−1, 127/128] (Tanh; TFMOT
   * quantizes before tanh and leaves its output to the converter, which writes these).
   */
  FIXED_SYMMETRIC_OUTPUT,
  /**
   * Every parameter fake-quantized per tensor with the scheme's Dense-kernel rule (symmetric,
   * narrow range) and an output quantizer (PReLU's alpha: TFMOT has no PReLU rule; TFLite's PRELU
   * takes any int8 alpha).
   */
  SLOPE_AND_OUTPUT,
  /**
   * A lookup table (Embedding): the table fake-quantized per tensor with the scheme's Dense-kernel
   * rule (int8: symmetric, narrow range, zero point 0, as TFLite's converter quantizes a constant
   * GATHER table); the output takes the table's params (TFLite's int8 GATHER requires output params
   * = input params), so it has no quantizer of its own. The model input it reads holds indices and
   * is not quantized (an INT32 input of the int8 graph).
   */
  TABLE_LOOKUP,
  /**
   * LSTM and GRU: both kernels fake-quantized per tensor (the scheme's Dense-kernel rule) and one
   * activation quantizer per role of the unrolled cell, shared over all steps; the output is the
   * hidden state's role.
   */
  RECURRENT
}
