package org.qat4j.core.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX format (MNIST family): magic {@code 00 00 type rank}, then {@code rank}
 * big-endian int32 dimensions, then the data. Gzip-compressed files are detected by their magic
 * bytes. Every inconsistency throws an exception naming the file.
 */
public final class Idx {
  /** IDX type code of unsigned bytes, the only element type of MNIST-style files. */
  public static final int UBYTE = 0x08;

  private Idx() {}

  /** A decoded IDX file: element type code, dimensions, and the raw big-endian element bytes. */
  public record Array(Path file, int type, int[] dims, byte[] data) {
    /** Number of elements (product of dims). */
    public long count() {
      long n = 1;
      for (int d : dims) n *= d;
      return n;
    }

    /** Element i as an unsigned byte; requires type {@link #UBYTE}. */
    public int ubyte(int i) {
      return data[i] & 0xff;
    }
  }

  /** Reads and validates {@code file} (raw or gzip). */
  public static Array read(Path file) throws IOException {
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "IDX file not found");
    }
    byte[] bytes = isGzip(raw) ? gunzip(file, raw) : raw;
    return parse(file, bytes);
  }

  static boolean isGzip(byte[] b) {
    return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
  }

  private static byte[] gunzip(Path file, byte[] raw) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IOException(file + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
    }
  }

  static Array parse(Path file, byte[] b) throws IOException {
    if (b.length < 4)
      throw new IOException(file + ": too short for an IDX header (" + b.length + " bytes)");
    if (b[0] != 0 || b[1] != 0) {
      throw new IOException(
          file
              + ": wrong IDX magic number 0x"
              + String.format("%02x%02x%02x%02x", b[0], b[1], b[2], b[3])
              + " (expected 0x0000 followed by type and rank)");
    }
    int type = b[2] & 0xff;
    int size = elementSize(file, type);
    int rank = b[3] & 0xff;
    if (rank == 0) throw new IOException(file + ": IDX rank is 0");
    int header = 4 + 4 * rank;
    if (b.length < header)
      throw new IOException(
          file
              + ": truncated IDX header ("
              + rank
              + " dimensions need "
              + header
              + " bytes, file has "
              + b.length
              + ")");
    int[] dims = dims(file, b, rank);
    long count = 1;
    for (int d : dims) count *= d;
    checkDataSize(file, dims, count * size, b.length - header);
    return new Array(file, type, dims, Arrays.copyOfRange(b, header, b.length));
  }

  /** The {@code rank} big-endian dimensions after the 4-byte magic; each must be ≥ 0. */
  private static int[] dims(Path file, byte[] b, int rank) throws IOException {
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      int o = 4 + 4 * i;
      dims[i] =
          ((b[o] & 0xff) << 24)
              | ((b[o + 1] & 0xff) << 16)
              | ((b[o + 2] & 0xff) << 8)
              | (b[o + 3] & 0xff);
      if (dims[i] < 0)
        throw new IOException(file + ": negative IDX dimension " + dims[i] + " at index " + i);
    }
    return dims;
  }

  /** Throws unless the data after the header is exactly {@code need} bytes ({@code have}). */
  private static void checkDataSize(Path file, int[] dims, long need, long have)
      throws IOException {
    if (have < need) {
      throw new IOException(
          file
              + ": truncated: dimensions "
              + Arrays.toString(dims)
              + " need "
              + need
              + " data bytes, found "
              + have);
    }
    if (have > need) {
      throw new IOException(
          file
              + ": "
              + (have - need)
              + " unexpected bytes after the data for dimensions "
              + Arrays.toString(dims));
    }
  }

  private static int elementSize(Path file, int type) throws IOException {
    return switch (type) {
      case 0x08, 0x09 -> 1;
      case 0x0B -> 2;
      case 0x0C, 0x0D -> 4;
      case 0x0E -> 8;
      default ->
          throw new IOException(file + ": unknown IDX element type 0x" + Integer.toHexString(type));
    };
  }
}
