package org.qat4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.core.data.NpyFixtures.dict;
import static org.qat4j.core.data.NpyFixtures.f4;
import static org.qat4j.core.data.NpyFixtures.i8;
import static org.qat4j.core.data.NpyFixtures.npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataNpyTest {
  @TempDir Path dir;

  private static String error(byte[] b) {
    return assertThrows(IOException.class, () -> Npy.parse("a.npy", b)).getMessage();
  }

  @Test
  void readsEveryVersionAndDtype() throws IOException {
    for (int v = 1; v <= 3; v++) {
      Npy.Array a = Npy.parse("a.npy", npy(v, dict("<f4", "(2, 3)"), f4(1, 2, 3, 4, 5, -6.5f)));
      assertArrayEquals(new int[] {2, 3}, a.shape());
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, a.floats());
    }
    assertArrayEquals(
        new float[] {255, 1},
        Npy.parse("u", npy(1, dict("|u1", "(2,)"), new byte[] {(byte) 255, 1})).floats());
    assertArrayEquals(
        new float[] {-1, 1},
        Npy.parse("i", npy(1, dict("|i1", "(2,)"), new byte[] {-1, 1})).floats());
    assertArrayEquals(
        new int[] {7, 0}, Npy.parse("l", npy(1, dict("<i8", "(2,)"), i8(7, 0))).labels());
    byte[] f8 =
        java.nio.ByteBuffer.allocate(8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putDouble(0.25)
            .array();
    assertArrayEquals(
        new float[] {0.25f}, Npy.parse("d", npy(2, dict("<f8", "(1,)"), f8)).floats());
    assertEquals(0, Npy.parse("s", npy(1, dict("<i4", "()"), new byte[4])).shape().length);
  }

  @Test
  void rejectsBadFilesNamingWhereAndWhat() {
    assertTrue(error("not numpy".getBytes()).contains("offset 0"));
    byte[] good = npy(1, dict("<f4", "(2,)"), f4(1, 2));
    assertTrue(error(Arrays.copyOf(good, 20)).contains("truncated header"));
    assertTrue(error(Arrays.copyOf(good, good.length - 1)).contains("truncated"));
    assertTrue(
        error(npy(1, dict("<f4", "(3,)"), f4(1, 2)))
            .matches(".*offset \\d+: shape \\[3\\] of <f4 needs 12 data bytes, found 8.*"));
    assertTrue(error(npy(1, dict(">f4", "(2,)"), f4(1, 2))).contains("big-endian"));
    assertTrue(error(npy(1, dict("|O", "(2,)"), new byte[16])).contains("pickles"));
    assertTrue(
        error(npy(1, dict("<f2", "(2,)"), new byte[4]))
            .contains("expected one of <f4 <f8 |u1 |i1 <i4 <i8"));
    assertTrue(
        error(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", f4(1, 2)))
            .contains("fortran_order"));
    assertTrue(
        error(npy(1, "{'descr': '<f4', 'shape': (2,), }", f4(1, 2)))
            .contains("lacks 'fortran_order'"));
    byte[] v9 = good.clone();
    v9[6] = 9;
    assertTrue(error(v9).contains("version 9"));
  }

  @Test
  void labelsMustBeIntegers() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> Npy.parse("y", npy(1, dict("<f4", "(2,)"), f4(1, 0.5f))).labels());
    assertTrue(e.getMessage().contains("element 1"), e.getMessage());
  }

  @Test
  void npzWithXAndY() throws IOException {
    for (boolean compressed : new boolean[] {false, true}) {
      Map<String, byte[]> m = new LinkedHashMap<>();
      m.put("x.npy", npy(1, dict("<f4", "(3, 2)"), f4(1, 2, 3, 4, 5, 6)));
      m.put("y.npy", npy(1, dict("<i8", "(3,)"), i8(0, 2, 1)));
      Path f = NpyFixtures.npz(dir.resolve("d" + compressed + ".npz"), m, compressed);
      assertEquals(UserData.Format.NPZ, UserData.detect(f));
      Dataset d = UserData.load(f, UserData.Split.TRAIN, DataSpec.labelled());
      assertEquals(3, d.size());
      assertEquals(3, d.numClasses());
      assertEquals(2, d.label(1));
      assertArrayEquals(new float[] {3, 4}, d.sample(1));
      assertTrue(d.labelled());
    }
  }

  @Test
  void npzInconsistenciesAreRefused() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("x.npy", npy(1, dict("<f4", "(3, 2)"), f4(1, 2, 3, 4, 5, 6)));
    m.put("y.npy", npy(1, dict("<i8", "(2,)"), i8(0, 1)));
    Path f = NpyFixtures.npz(dir.resolve("count.npz"), m, false);
    String msg =
        assertThrows(
                IOException.class,
                () -> UserData.load(f, UserData.Split.TRAIN, DataSpec.labelled()))
            .getMessage();
    assertTrue(msg.contains("y.npy has shape [2]") && msg.contains("expected [3]"), msg);
    m.put("y.npy", npy(1, dict("<f4", "(3,)"), f4(0, 1, 1)));
    Path g = NpyFixtures.npz(dir.resolve("float.npz"), m, false);
    msg =
        assertThrows(
                IOException.class,
                () -> UserData.load(g, UserData.Split.TRAIN, DataSpec.labelled()))
            .getMessage();
    assertTrue(msg.contains("integer array"), msg);
    m.remove("y.npy");
    Path h = NpyFixtures.npz(dir.resolve("noy.npz"), m, false);
    msg =
        assertThrows(
                IOException.class,
                () -> UserData.load(h, UserData.Split.TRAIN, DataSpec.labelled()))
            .getMessage();
    assertTrue(msg.contains("no array 'y'") && msg.contains("x.npy"), msg);
    assertEquals(
        3, UserData.load(h, UserData.Split.TRAIN, DataSpec.labelled().inputsOnly()).size());
    byte[] zip = Files.readAllBytes(h);
    Path cut = Files.write(dir.resolve("cut.npz"), Arrays.copyOf(zip, zip.length / 2));
    msg =
        assertThrows(
                IOException.class,
                () -> UserData.load(cut, UserData.Split.TRAIN, DataSpec.labelled()))
            .getMessage();
    assertTrue(msg.contains("cut.npz"), msg);
  }

  @Test
  void npyIsInputsOnlyAndFitsTheModelShape() throws IOException {
    Path f = Files.write(dir.resolve("x.npy"), npy(1, dict("<f4", "(4,)"), f4(0, 1, 2, 3)));
    DataSpec calib = new DataSpec(new int[] {1}, null, null, false);
    Dataset d = UserData.load(f, UserData.Split.TRAIN, calib);
    assertEquals(4, d.size());
    assertFalse(d.labelled());
    assertArrayEquals(new float[] {2}, d.sample(2));
    String msg =
        assertThrows(
                IOException.class,
                () -> UserData.load(f, UserData.Split.TRAIN, DataSpec.labelled()))
            .getMessage();
    assertTrue(msg.contains(".npz with arrays x and y"), msg);
    DataSpec wrong = new DataSpec(new int[] {2, 2}, null, null, false);
    msg =
        assertThrows(IOException.class, () -> UserData.load(f, UserData.Split.TRAIN, wrong))
            .getMessage();
    assertTrue(msg.contains("do not fit the model input [2, 2]"), msg);
    Path fake = Files.writeString(dir.resolve("fake.npy"), "hello");
    msg = assertThrows(IOException.class, () -> UserData.detect(fake)).getMessage();
    assertTrue(msg.contains("offset 0"), msg);
  }
}
