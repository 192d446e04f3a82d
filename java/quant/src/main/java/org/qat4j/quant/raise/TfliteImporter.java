package org.qat4j.quant.raise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.core.Model;
import org.qat4j.ir.DType;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * Imports a float32 .tflite model (single subgraph, one input, one output, batch-first NHWC) as a
 * trainable core {@link Model} with its weights: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD,
 * CONCATENATION (last axis), MAX_POOL_2D, AVERAGE_POOL_2D, MEAN (global spatial average), RESHAPE,
 * SOFTMAX (beta 1), PAD (spatial, constant paddings), RELU, RELU6, LOGISTIC, HARD_SWISH, MUL and
 * ADD by a per-channel constant (as a BatchNormalization) and fused RELU/RELU6 (the table in {@code
 * ImportGraph} is the authority). Weights are converted from TFLite layouts (OHWI conv, 1HWC
 * depthwise, [out,in] FC) to core layouts (HWIO, [kh,kw,in,mult], [in,units]). Anything else raises
 * one {@link ModelFormatException} listing every unsupported operator with its position.
 */
public final class TfliteImporter {
  private TfliteImporter() {}

  /** Reads, validates and imports {@code bytes}; the returned model owns copies of the weights. */
  public static Model toModel(byte[] bytes) {
    return toModel(TfliteReader.read(bytes));
  }

  /** Imports an already read model. */
  public static Model toModel(TfliteModelInfo m) {
    return importModel(m, false);
  }

  /**
   * Imports an int8/uint8 model (e.g. a Coral MobileNet) as a float model: weights and biases
   * dequantized ((q − zero point)·scale, per axis where the file says so), QUANTIZE/DEQUANTIZE
   * dropped, activation quantization ignored; the model takes and gives real values. Float models
   * import as with {@link #toModel(byte[])}. For fine-tuning and re-quantizing with qat4j.
   */
  public static Model dequantized(byte[] bytes) {
    return importModel(TfliteReader.read(bytes), true);
  }

  private static Model importModel(TfliteModelInfo m, boolean dequantize) {
    List<String> problems = new ArrayList<>();
    if (m.subgraphs().size() != 1)
      problems.add("model has " + m.subgraphs().size() + " subgraphs, need exactly 1");
    SubgraphInfo s = m.subgraph(0);
    if (s.inputs().length != 1 || s.outputs().length != 1) {
      problems.add(
          "subgraph 0 has "
              + s.inputs().length
              + " inputs and "
              + s.outputs().length
              + " outputs, need 1 and 1");
    }
    for (OperatorInfo op : s.operators()) {
      if (!ImportGraph.imports(op) && !(dequantize && ImportGraph.quantizeOp(op)))
        problems.add("operator " + op.index() + " (" + op.opName() + ")");
    }
    for (TensorInfo t : s.tensors()) {
      String why = tensorProblem(t, dequantize);
      if (why != null) problems.add(why);
    }
    if (!problems.isEmpty())
      throw new ModelFormatException(
          "subgraph 0", "cannot import: unsupported " + String.join(", ", problems));
    TensorInfo in = s.tensor(s.inputs()[0]);
    if (in.shape().length < 2)
      throw new ModelFormatException(
          "subgraph 0, input 0",
          "shape " + Arrays.toString(in.shape()) + " has no batch dimension");
    try {
      return new ImportGraph(m, s, dequantize).build();
    } catch (ModelFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ModelFormatException("subgraph 0", "cannot import: " + e.getMessage(), e);
    }
  }

  /** Why tensor {@code t} does not import, or null when it does. */
  private static String tensorProblem(TensorInfo t, boolean dequantize) {
    boolean shapeTensor = t.dtype() == DType.INT32 && t.constant();
    boolean quantized =
        dequantize
            && (t.constant()
                ? Dequantize.accepts(t)
                : t.dtype() == DType.INT8 || t.dtype() == DType.UINT8);
    if (t.dtype() == DType.FLOAT32 || shapeTensor || quantized) return null;
    return "tensor "
        + t.index()
        + " '"
        + t.name()
        + "' is "
        + t.typeName()
        + (dequantize
            ? " (only float32 and int8/uint8 with scales import)"
            : " (only float32 models import; TfliteImporter.dequantized takes int8/uint8)");
  }
}
