package org.qat4j.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Class names for {@code classify}: a labels file (one name per line, line i = output index i), or
 * the labels file a model carries as TFLite metadata (a zip appended after the flatbuffer, as
 * Google's converters write it), or none.
 */
record Labels(List<String> names, String source) {
  static final Labels NONE = new Labels(List.of(), "none");

  String name(int index) {
    return index < names.size() ? names.get(index) : null;
  }

  /** Reads {@code --labels FILE}: one label per line, blank trailing lines dropped. */
  static Labels file(Path f) {
    DataOption.exists(f, "--labels");
    try {
      return new Labels(lines(Files.readAllBytes(f)), f.toString());
    } catch (IOException e) {
      throw CliException.usage("--labels: " + f + ": " + Main.oneLine(e));
    }
  }

  /**
   * The .txt file in the zip appended to {@code model} with {@code classes} lines (or the only .txt
   * there), or {@link #NONE}.
   */
  static Labels embedded(Path model, int classes) throws IOException {
    byte[] b = Files.readAllBytes(model);
    int start = zipStart(b);
    if (start < 0) return NONE;
    Labels any = NONE;
    int txt = 0;
    try (ZipInputStream z =
        new ZipInputStream(new ByteArrayInputStream(b, start, b.length - start))) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        if (!e.getName().toLowerCase(Locale.ROOT).endsWith(".txt")) continue;
        Labels l = new Labels(lines(z.readAllBytes()), "embedded in the model: " + e.getName());
        if (l.names().size() == classes) return l;
        any = l;
        txt++;
      }
    } catch (IOException | RuntimeException e) {
      return NONE; // damaged metadata: classify still works, with indices
    }
    return txt == 1 ? any : NONE;
  }

  /**
   * Offset of the first local file header of a zip at the end of {@code b}: found from the end of
   * central directory record, whose offsets are relative to the zip's own start or, when the packer
   * wrote them so, to the file's.
   */
  static int zipStart(byte[] b) {
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int e = b.length - 22; e >= Math.max(0, b.length - 22 - 65535); e--) {
      if (bb.getInt(e) != 0x06054b50) continue;
      long cdSize = bb.getInt(e + 12) & 0xFFFFFFFFL, cdOffset = bb.getInt(e + 16) & 0xFFFFFFFFL;
      long relative = e - cdSize - cdOffset;
      if (relative >= 0 && localHeader(bb, relative)) return (int) relative;
      long cd = e - cdSize;
      if (cd >= 0 && cd + 46 <= b.length && bb.getInt((int) cd) == 0x02014b50) {
        long first = bb.getInt((int) cd + 42) & 0xFFFFFFFFL;
        if (localHeader(bb, first)) return (int) first;
      }
      return -1;
    }
    return -1;
  }

  private static boolean localHeader(ByteBuffer bb, long at) {
    return at >= 0 && at + 4 <= bb.capacity() && bb.getInt((int) at) == 0x04034b50;
  }

  private static List<String> lines(byte[] b) {
    List<String> l =
        new ArrayList<>(new String(b, StandardCharsets.UTF_8).lines().map(String::strip).toList());
    while (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) l.remove(l.size() - 1);
    return List.copyOf(l);
  }
}
