package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MutationFuzz (seed 43, mutant 4445) found a verifier-passing MobileNet whose input claims 255
 * channels: the first CONV_2D (filter [8, 3, 3, 3]) then runs as 85 groups that do not divide its 8
 * filters and TFLite dies with SIGFPE in invoke. The same edit is rebuilt here from the shared
 * model and must become an exception, as must a DEPTHWISE_CONV_2D input with 0 channels (TFLite
 * takes the filter channels modulo it).
 */
@Tag("native")
class ConvChannelCheckTest {
  // The input tensor's shape vector [1, 128, 128, 3]: length 4 then four little-endian int32s.
  private static final byte[] INPUT_SHAPE = ModelBytes.ints(4, 1, 128, 128, 3);

  // The first conv's output [1, 64, 64, 8], input of the first DEPTHWISE_CONV_2D.
  private static final byte[] CONV0_OUT_SHAPE = ModelBytes.ints(4, 1, 64, 64, 8);

  private static byte[] withInputChannels(int channels) throws IOException {
    return withLastDim(INPUT_SHAPE, channels, 1);
  }

  /**
   * The shared MobileNet with the last dimension of every shape vector equal to {@code shape} set
   * to {@code value}.
   */
  private static byte[] withLastDim(byte[] shape, int value, int expectedHits) throws IOException {
    byte[] b = Files.readAllBytes(SharedModels.require("mobilenet_v1_0.25_128_quant.tflite"));
    assertEquals(
        expectedHits,
        ModelBytes.patch(b, shape, 16, ModelBytes.ints(value)),
        "shape vectors found");
    return b;
  }

  @Test
  void groupsThatDoNotDivideTheFiltersAreRejectedBeforeTflite() throws IOException {
    for (int channels : new int[] {255, 9}) {
      byte[] bytes = withInputChannels(channels);
      TfliteException e =
          assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(bytes).close());
      assertEquals("model check", e.step());
      assertTrue(e.getMessage().contains("do not divide the 8 output channels"), e.getMessage());
    }
  }

  @Test
  void inputChannelsThatAreNoMultipleOfTheFilterAreRejected() throws IOException {
    byte[] bytes = withInputChannels(4);
    TfliteException e =
        assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(bytes).close());
    assertTrue(
        e.getMessage().contains("not a multiple of the filter's 3 input channels"), e.getMessage());
  }

  @Test
  void depthwiseInputWithoutChannelsIsRejected() throws IOException {
    byte[] bytes = withLastDim(CONV0_OUT_SHAPE, 0, 2);
    TfliteException e =
        assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(bytes).close());
    assertTrue(
        e.getMessage().contains("DEPTHWISE") || e.getMessage().contains("operator 1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("input has 0 channels"), e.getMessage());
  }

  @Test
  void depthwiseWithoutBiasIsRejected() throws IOException {
    // operator 1 is DEPTHWISE_CONV_2D with inputs [31, 32, 20]; a fuzzed copy of qat4j's float
    // MobileNetMini
    // with its bias dropped crashed TFLite's float depthwise kernel (SIGSEGV)
    byte[] b = Files.readAllBytes(SharedModels.require("mobilenet_v1_0.25_128_quant.tflite"));
    assertEquals(1, ModelBytes.patch(b, ModelBytes.ints(3, 31, 32, 20), 0, ModelBytes.ints(2)));
    TfliteException e = assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(b).close());
    assertTrue(
        e.getMessage().contains("operator 1") && e.getMessage().contains("has no bias tensor"),
        e.getMessage());
  }

  @Test
  void validGroupedConvolutionStillRuns() throws IOException {
    // 6 channels = 2 groups of 3, dividing the 8 filters: a legal grouped convolution TFLite
    // computes
    try (TfliteModel m = TfliteModel.fromBytes(withInputChannels(6));
        Interpreter it = Interpreter.create(m, Interpreter.Options.builder().threads(1).build())) {
      it.input(0).write(ByteBuffer.allocate((int) it.input(0).numBytes()));
      it.invoke();
      assertEquals(1001, it.output(0).shape()[1]);
    }
  }
}
