package org.qat4j.core.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict reader of NumPy's {@code .npy} format, versions 1.0, 2.0 and 3.0: magic {@code \x93NUMPY},
 * a Python-dict header with {@code descr}, {@code fortran_order} and {@code shape}, then the
 * C-order data. Accepted element types: little-endian {@code f4 f8 i4 i8} and single-byte {@code u1
 * i1}; Fortran order, object arrays (pickles), big-endian and other types are refused with a
 * message that names the source and what was expected.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern ENTRY =
      Pattern.compile("\\s*'(\\w+)'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))\\s*,?");

  private Npy() {}

  /** Element types this reader accepts, with their NumPy {@code descr} and width in bytes. */
  public enum DType {
    F4("<f4", 4),
    F8("<f8", 8),
    U1("|u1", 1),
    I1("|i1", 1),
    I4("<i4", 4),
    I8("<i8", 8);

    final String descr;
    final int size;

    DType(String descr, int size) {
      this.descr = descr;
      this.size = size;
    }

    /** Whether the values are integers (allowed as class labels). */
    public boolean integral() {
      return this != F4 && this != F8;
    }
  }

  /**
   * A decoded array: where it came from, element type, shape (C order) and the raw little-endian
   * data.
   */
  public record Array(String source, DType dtype, int[] shape, ByteBuffer data) {
    /** Number of elements (product of the shape; 1 for a scalar). */
    public int count() {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }

    /** Every element as a float (integers converted, f8 rounded). */
    public float[] floats() {
      float[] v = new float[count()];
      for (int i = 0; i < v.length; i++) v[i] = (float) value(i);
      return v;
    }

    /**
     * Every element as a non-negative int class label; non-integral or out-of-range values are
     * refused.
     */
    public int[] labels() throws IOException {
      int[] v = new int[count()];
      for (int i = 0; i < v.length; i++) {
        double x = value(i);
        if (x != Math.rint(x) || x < 0 || x > Integer.MAX_VALUE) {
          throw new IOException(
              source
                  + ": element "
                  + i
                  + " is "
                  + x
                  + "; class labels must be integers >= 0 (dtype "
                  + dtype.descr
                  + ")");
        }
        v[i] = (int) x;
      }
      return v;
    }

    double value(int i) {
      return switch (dtype) {
        case F4 -> data.getFloat(i * 4);
        case F8 -> data.getDouble(i * 8);
        case U1 -> data.get(i) & 0xff;
        case I1 -> data.get(i);
        case I4 -> data.getInt(i * 4);
        case I8 -> data.getLong(i * 8);
      };
    }
  }

  /** Parses one {@code .npy} image; {@code source} names it in errors (file, or archive:entry). */
  public static Array parse(String source, byte[] b) throws IOException {
    Header h = header(source, b);
    Map<String, String> dict = h.dict();
    DType dtype = dtype(source, dict.get("descr"));
    if (!"False".equals(dict.get("fortran_order"))) {
      throw new IOException(
          source
              + ": header: fortran_order is "
              + dict.get("fortran_order")
              + "; only C-order arrays are read (save with np.ascontiguousarray)");
    }
    int[] shape = shape(source, dict.get("shape"));
    long count = 1;
    for (int d : shape) count *= d;
    long dataStart = h.dataStart();
    long need = count * dtype.size;
    long have = b.length - dataStart;
    if (need > Integer.MAX_VALUE)
      throw new IOException(
          source + ": shape " + Arrays.toString(shape) + " is too large (" + need + " bytes)");
    checkDataSize(source, dataStart, shape, dtype, need, have);
    ByteBuffer data =
        ByteBuffer.wrap(b, (int) dataStart, (int) need).slice().order(ByteOrder.LITTLE_ENDIAN);
    return new Array(source, dtype, shape, data);
  }

  /** The header's dict and where the data starts. */
  private record Header(Map<String, String> dict, long dataStart) {}

  /** Magic, version, header length and the header dict of {@code b}. */
  private static Header header(String source, byte[] b) throws IOException {
    if (b.length < 10 || !Arrays.equals(Arrays.copyOf(b, 6), MAGIC)) {
      throw new IOException(source + ": not a .npy file (offset 0: expected the magic \\x93NUMPY)");
    }
    int major = b[6] & 0xff;
    if (major < 1 || major > 3)
      throw new IOException(
          source
              + ": offset 6: unsupported .npy version "
              + major
              + "."
              + (b[7] & 0xff)
              + " (expected 1, 2 or 3)");
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int lenBytes = major == 1 ? 2 : 4;
    if (b.length < 8 + lenBytes)
      throw new IOException(source + ": truncated header (file has " + b.length + " bytes)");
    long headerLen = major == 1 ? bb.getShort(8) & 0xffff : bb.getInt(8) & 0xffffffffL;
    long start = 8 + lenBytes;
    if (start + headerLen > b.length) {
      throw new IOException(
          source
              + ": truncated header: offset "
              + start
              + " declares "
              + headerLen
              + " header bytes, file has "
              + (b.length - start));
    }
    String header =
        new String(
            b,
            (int) start,
            (int) headerLen,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    return new Header(dict(source, header.strip()), start + headerLen);
  }

  /** Throws unless the data after the header is exactly {@code need} bytes ({@code have}). */
  private static void checkDataSize(
      String source, long dataStart, int[] shape, DType dtype, long need, long have)
      throws IOException {
    if (have != need) {
      throw new IOException(
          source
              + ": offset "
              + dataStart
              + ": shape "
              + Arrays.toString(shape)
              + " of "
              + dtype.descr
              + " needs "
              + need
              + " data bytes, found "
              + have
              + (have < need ? " (truncated)" : " (trailing bytes)"));
    }
  }

  private static Map<String, String> dict(String source, String h) throws IOException {
    if (!h.startsWith("{") || !h.endsWith("}"))
      throw new IOException(source + ": header is not a Python dict: " + abbreviate(h));
    String body = h.substring(1, h.length() - 1);
    Map<String, String> m = new LinkedHashMap<>();
    Matcher mt = ENTRY.matcher(body);
    int pos = 0;
    while (pos < body.length() && !body.substring(pos).isBlank()) {
      if (!mt.find(pos) || mt.start() != pos)
        throw new IOException(source + ": header: cannot parse " + abbreviate(body.substring(pos)));
      m.put(mt.group(1), mt.group(2));
      pos = mt.end();
    }
    for (String k : new String[] {"descr", "fortran_order", "shape"}) {
      if (!m.containsKey(k))
        throw new IOException(source + ": header lacks '" + k + "': " + abbreviate(h));
    }
    if (m.size() != 3)
      throw new IOException(
          source
              + ": header has unexpected keys "
              + m.keySet()
              + " (expected descr, fortran_order, shape)");
    return m;
  }

  private static DType dtype(String source, String quoted) throws IOException {
    String d = quoted.startsWith("'") ? quoted.substring(1, quoted.length() - 1) : quoted;
    String norm =
        d.equals("<u1") || d.equals("u1") ? "|u1" : d.equals("<i1") || d.equals("i1") ? "|i1" : d;
    for (DType t : DType.values()) if (t.descr.equals(norm)) return t;
    String why =
        d.startsWith(">")
            ? "big-endian data is not read (convert with arr.astype('<" + d.substring(1) + "'))"
            : d.contains("O")
                ? "object arrays (pickles) are never read"
                : "unsupported element type";
    throw new IOException(
        source
            + ": header: descr '"
            + d
            + "': "
            + why
            + "; expected one of <f4 <f8 |u1 |i1 <i4 <i8");
  }

  private static int[] shape(String source, String tuple) throws IOException {
    if (!tuple.startsWith("("))
      throw new IOException(source + ": header: shape " + tuple + " is not a tuple");
    String inner = tuple.substring(1, tuple.length() - 1).strip();
    if (inner.isEmpty()) return new int[0];
    String[] parts = inner.split(",", -1);
    int n = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
    int[] s = new int[n];
    for (int i = 0; i < n; i++) {
      try {
        s[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new IOException(
            source
                + ": header: shape "
                + tuple
                + " has a non-integer dimension '"
                + parts[i].strip()
                + "'");
      }
      if (s[i] < 0)
        throw new IOException(source + ": header: shape " + tuple + " has a negative dimension");
    }
    return s;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
