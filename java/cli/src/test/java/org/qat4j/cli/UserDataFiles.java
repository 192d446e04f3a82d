package org.qat4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes small user-data files (.npy, .npz, .csv) the way NumPy and spreadsheets lay them out, for
 * the CLI data tests.
 */
final class UserDataFiles {
  private UserDataFiles() {}

  static byte[] npyF4(float[] v, int... shape) {
    ByteBuffer d = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) d.putFloat(x);
    return npy("<f4", shape, d.array());
  }

  static byte[] npyI1(byte[] v, int... shape) {
    return npy("|i1", shape, v.clone());
  }

  static byte[] npyU1(byte[] v, int... shape) {
    return npy("|u1", shape, v.clone());
  }

  static byte[] npyI8(int[] v) {
    ByteBuffer d = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : v) d.putLong(x);
    return npy("<i8", new int[] {v.length}, d.array());
  }

  private static byte[] npy(String descr, int[] shape, byte[] data) {
    StringBuilder t = new StringBuilder("(");
    for (int s : shape) t.append(s).append(", ");
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': False, 'shape': "
            + t.toString().replaceAll(", $", shape.length == 1 ? "," : "")
            + "), }";
    StringBuilder h = new StringBuilder(dict);
    while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
    byte[] hb = h.append('\n').toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
        .putShort((short) hb.length)
        .put(hb)
        .put(data);
    return b.array();
  }

  static Path npz(Path file, byte[] x, byte[] y) throws IOException {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      z.putNextEntry(new ZipEntry("x.npy"));
      z.write(x);
      z.putNextEntry(new ZipEntry("y.npy"));
      z.write(y);
    }
    return file;
  }

  /** Separable 2-feature data: label 1 when x0 + x1 > 0; {@code x} is filled row-major. */
  static int[] separable(long seed, float[] x) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    int[] y = new int[x.length / 2];
    for (int i = 0; i < y.length; i++) {
      x[2 * i] = (float) (r.nextDouble() * 2 - 1);
      x[2 * i + 1] = (float) (r.nextDouble() * 2 - 1);
      y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
    }
    return y;
  }

  /**
   * A 2-input, 2-class Dense model (saved) with 600 training rows as CSV (column "label") and 200
   * test rows as .npz.
   */
  record Tabular(Path model, Path trainCsv, Path testNpz) {
    static Tabular write(Path dir) throws IOException {
      org.qat4j.core.Model m =
          new org.qat4j.core.Sequential(3L, "features", 2)
              .add(new org.qat4j.core.layers.Dense("d1", 16))
              .add(new org.qat4j.core.layers.ReLU("r1"))
              .add(new org.qat4j.core.layers.Dense("d2", 2))
              .build();
      Path model = dir.resolve("tab.q4j");
      org.qat4j.core.io.ModelIO.save(m, model);
      float[] x = new float[2 * 600];
      int[] y = separable(1, x);
      float[] xt = new float[2 * 200];
      int[] yt = separable(2, xt);
      return new Tabular(
          model,
          csv(dir.resolve("train.csv"), x, y),
          npz(dir.resolve("test.npz"), npyF4(xt, 200, 2), npyI8(yt)));
    }
  }

  static Path csv(Path file, float[] x, int[] y) throws IOException {
    StringBuilder s = new StringBuilder("a,b,label\n");
    for (int i = 0; i < y.length; i++)
      s.append(x[2 * i]).append(',').append(x[2 * i + 1]).append(',').append(y[i]).append('\n');
    return Files.writeString(file, s);
  }
}
