package org.qat4j.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes .npy/.npz files byte by byte as NumPy lays them out, for the loader tests. */
final class NpyFixtures {
  private NpyFixtures() {}

  /**
   * An .npy image: version {@code major}, the given header dict and data, header padded to 64 bytes
   * as NumPy does.
   */
  static byte[] npy(int major, String dict, byte[] data) {
    int lenBytes = major == 1 ? 2 : 4;
    StringBuilder h = new StringBuilder(dict);
    while ((10 + lenBytes - 2 + h.length() + 1) % 64 != 0) h.append(' ');
    h.append('\n');
    byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(8 + lenBytes + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) b.putShort((short) hb.length);
    else b.putInt(hb.length);
    b.put(hb).put(data);
    return b.array();
  }

  static byte[] f4(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) b.putFloat(x);
    return b.array();
  }

  static byte[] i8(long... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) b.putLong(x);
    return b.array();
  }

  static String dict(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  static Path npz(Path file, Map<String, byte[]> entries, boolean compressed) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.setMethod(compressed ? ZipOutputStream.DEFLATED : ZipOutputStream.STORED);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry ze = new ZipEntry(e.getKey());
        if (!compressed) {
          ze.setSize(e.getValue().length);
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          ze.setCrc(crc.getValue());
        }
        z.putNextEntry(ze);
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return Files.write(file, out.toByteArray());
  }
}
