package org.qat4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataIdxTest {
  @TempDir Path dir;

  static byte[] idx(int type, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) b.putInt(d);
    b.put(data);
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(raw);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static byte[] images(int n) {
    byte[] px = new byte[n * 4];
    for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37);
    return idx(8, new int[] {n, 2, 2}, px);
  }

  @Test
  void readsRawAndGzipIdentically() throws IOException {
    Idx.Array raw = Idx.read(write("a-idx3-ubyte", images(3)));
    Idx.Array gz = Idx.read(write("a-idx3-ubyte.gz", gzip(images(3))));
    assertArrayEquals(new int[] {3, 2, 2}, raw.dims());
    assertArrayEquals(raw.data(), gz.data());
    assertEquals(37 * 5 & 0xff, raw.ubyte(5));
    assertEquals(12, raw.count());
  }

  @Test
  void wrongMagicNamesFile() throws IOException {
    byte[] b = images(2);
    b[0] = 0x12;
    Path p = write("bad-magic", b);
    IOException e = assertThrows(IOException.class, () -> Idx.read(p));
    assertTrue(
        e.getMessage().contains(p.toString()) && e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void unknownTypeNamesFile() throws IOException {
    byte[] b = images(2);
    b[2] = 0x42;
    Path p = write("bad-type", b);
    IOException e = assertThrows(IOException.class, () -> Idx.read(p));
    assertTrue(
        e.getMessage().contains(p.toString()) && e.getMessage().contains("type"), e.getMessage());
  }

  @Test
  void truncatedDataNamesFile() throws IOException {
    byte[] b = images(3);
    Path p = write("short", Arrays.copyOf(b, b.length - 5));
    IOException e = assertThrows(IOException.class, () -> Idx.read(p));
    assertTrue(
        e.getMessage().contains(p.toString()) && e.getMessage().contains("truncated"),
        e.getMessage());
  }

  @Test
  void truncatedHeaderAndGzipNameFile() throws IOException {
    Path h = write("short-header", Arrays.copyOf(images(3), 9));
    assertTrue(
        assertThrows(IOException.class, () -> Idx.read(h)).getMessage().contains(h.toString()));
    byte[] gz = gzip(images(50));
    Path g = write("short.gz", Arrays.copyOf(gz, gz.length / 2));
    IOException e = assertThrows(IOException.class, () -> Idx.read(g));
    assertTrue(e.getMessage().contains(g.toString()), e.getMessage());
  }

  @Test
  void trailingBytesRejected() throws IOException {
    byte[] b = images(2);
    Path p = write("long", Arrays.copyOf(b, b.length + 3));
    assertTrue(
        assertThrows(IOException.class, () -> Idx.read(p)).getMessage().contains("unexpected"));
  }

  @Test
  void mismatchedCountsNameBothFiles() throws IOException {
    Path img = write("x-images", images(3));
    Path lab = write("x-labels", idx(8, new int[] {4}, new byte[] {0, 1, 2, 3}));
    var e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.read(img, lab, 10));
    assertTrue(
        e.getMessage().contains(img.toString()) && e.getMessage().contains(lab.toString()),
        e.getMessage());
  }

  @Test
  void labelOutOfRangeNamesFile() throws IOException {
    Path img = write("y-images", images(2));
    Path lab = write("y-labels", idx(8, new int[] {2}, new byte[] {0, 12}));
    var e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.read(img, lab, 10));
    assertTrue(
        e.getMessage().contains(lab.toString()) && e.getMessage().contains("12"), e.getMessage());
  }

  @Test
  void readsMnistStylePair() throws IOException {
    Path img = write("z-images.gz", gzip(images(2)));
    Path lab = write("z-labels", idx(8, new int[] {2}, new byte[] {4, 9}));
    Dataset d = FashionMnist.read(img, lab, 10);
    assertEquals(2, d.size());
    assertArrayEquals(new int[] {2, 2, 1}, d.sampleShape());
    assertEquals(9, d.label(1));
    assertEquals((37 * 5 & 0xff) / 255f, d.sample(1)[1], 1e-7);
  }

  @Test
  void missingDirectoryGivesInstallHint() {
    var e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
  }
}
