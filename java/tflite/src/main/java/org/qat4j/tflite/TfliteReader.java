package org.qat4j.tflite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and validates a .tflite file into an immutable {@link TfliteModelInfo}. Every defect —
 * structural (offsets, vectors, strings outside the file) or semantic (indices, buffer sizes,
 * quantization, outputs never written or aliasing constants, total tensor bytes; the checklist of
 * tflite-format.md §4) — raises a {@link ModelFormatException} naming what and where; no other
 * exception escapes for any byte content. Bytes after the flatbuffer (e.g. an appended zip of
 * associated files) are accepted. Call this before handing user-supplied bytes to native TFLite.
 */
public final class TfliteReader {
  /** Default bound on the summed byte size of all tensors of all subgraphs: 1 GiB. */
  public static final long DEFAULT_MAX_TENSOR_BYTES = 1L << 30;

  private TfliteReader() {}

  /** Reads and validates {@code bytes} with the default tensor-byte bound; the bytes are copied. */
  public static TfliteModelInfo read(byte[] bytes) {
    return read(bytes, DEFAULT_MAX_TENSOR_BYTES);
  }

  /**
   * Reads and validates {@code bytes}, rejecting models whose tensors need more than {@code
   * maxTensorBytes}.
   */
  public static TfliteModelInfo read(byte[] bytes, long maxTensorBytes) {
    if (bytes == null) throw new ModelFormatException("file", "no bytes (null)");
    byte[] copy = bytes.clone();
    try {
      new FlatbufferVerifier(copy).verifyRoot(TfliteSchema.MODEL, "TFL3");
      TfliteModelInfo info = ModelParser.parse(copy);
      ModelValidator.validate(info, maxTensorBytes);
      return info;
    } catch (ModelFormatException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      // Defence in depth: the verifier should make this unreachable; never let it escape raw.
      throw new ModelFormatException(
          "file",
          "unreadable model (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
          e);
    }
  }

  /** Reads and validates a file (2 GiB at most). */
  public static TfliteModelInfo read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > Integer.MAX_VALUE - 16)
      throw new ModelFormatException(
          file.toString(), "file larger than 2 GiB (" + size + " bytes)");
    try {
      return read(Files.readAllBytes(file));
    } catch (ModelFormatException e) {
      throw new ModelFormatException(
          file + (e.where().isEmpty() ? "" : ", " + e.where()),
          e.getMessage().substring(e.where().isEmpty() ? 0 : e.where().length() + 2),
          e);
    }
  }
}
