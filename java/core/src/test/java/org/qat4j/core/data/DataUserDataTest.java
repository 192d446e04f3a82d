package org.qat4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataUserDataTest {
  @TempDir Path dir;

  private String error(Path p, DataSpec spec) {
    return assertThrows(IOException.class, () -> UserData.load(p, UserData.Split.TRAIN, spec))
        .getMessage();
  }

  private static DataSpec csvLabels(String column) {
    return new DataSpec(null, null, column, true);
  }

  @Test
  void csvWithHeaderAndLabelColumn() throws IOException {
    Path f = Files.writeString(dir.resolve("t.csv"), "a,label,b\n1.5,2,3\n\n-4,0,5e-1\n");
    assertEquals(UserData.Format.CSV, UserData.detect(f));
    Dataset d = UserData.load(f, UserData.Split.TRAIN, csvLabels("label"));
    assertEquals(2, d.size());
    assertArrayEquals(new int[] {2}, d.sampleShape());
    assertArrayEquals(new float[] {-4, 0.5f}, d.sample(1));
    assertEquals(2, d.label(0));
    assertEquals(3, d.numClasses());
    Dataset byIndex = UserData.load(f, UserData.Split.TRAIN, csvLabels("1"));
    assertEquals(0, byIndex.label(1));
    Dataset inputs =
        UserData.load(f, UserData.Split.TRAIN, new DataSpec(null, null, "label", false));
    assertFalse(inputs.labelled());
    assertArrayEquals(new float[] {1.5f, 3}, inputs.sample(0));
  }

  @Test
  void csvErrorsNameLineAndColumn() throws IOException {
    DataSpec in = new DataSpec(null, null, null, false);
    assertTrue(
        error(Files.writeString(dir.resolve("a.csv"), "1,2\n3,x\n"), in)
            .contains("line 2, column 2: 'x' is not a number"));
    assertTrue(
        error(Files.writeString(dir.resolve("b.csv"), "1,2\n3\n"), in)
            .contains("line 2: 1 columns, expected 2"));
    assertTrue(
        error(Files.writeString(dir.resolve("c.csv"), "1,NaN\n"), in)
            .contains("not a finite number"));
    assertTrue(error(Files.writeString(dir.resolve("d.csv"), "\n\n"), in).contains("empty CSV"));
    assertTrue(
        error(Files.writeString(dir.resolve("e.csv"), "x,y\n"), in).contains("no data rows"));
    Path labels = Files.writeString(dir.resolve("f.csv"), "x,y\n1,0.5\n");
    assertTrue(
        error(labels, csvLabels("y"))
            .contains("line 2, column 2: label '0.5' is not an integer class id"));
    assertTrue(error(labels, csvLabels("z")).contains("no label column 'z'"));
    assertTrue(error(labels, DataSpec.labelled()).contains("needs a label column"));
    Path bin = Files.write(dir.resolve("g.csv"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
    assertTrue(error(bin, in).contains("invalid UTF-8"));
  }

  private void png(Path f, int w, int h, int rgb) throws IOException {
    Files.createDirectories(f.getParent());
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) img.setRGB(x, y, x < w / 4 ? 0xffffff : rgb);
    assertTrue(ImageIO.write(img, "png", f.toFile()));
  }

  @Test
  void imageFolderWithLabelsCsvAndCentreCrop() throws IOException {
    Path d = dir.resolve("imgs");
    png(d.resolve("a.png"), 8, 4, 0x000000);
    png(d.resolve("b.png"), 4, 4, 0x000000);
    Files.writeString(d.resolve("labels.csv"), "file,label\nb.png,dog\na.png,cat\n");
    assertEquals(UserData.Format.IMAGE_LIST, UserData.detect(d));
    DataSpec spec = new DataSpec(null, ImageFolder.of(4, 4, 1).withCenterCrop(), null, true);
    Dataset ds = UserData.load(d, UserData.Split.TRAIN, spec);
    assertEquals(List.of("cat", "dog"), ds.classNames());
    assertEquals(1, ds.label(0));
    assertEquals(0, ds.label(1));
    // a.png is 8 wide with its left quarter white: the centre crop (columns 2–5) is all black.
    float[] cropped = ds.sample(1);
    for (float v : cropped) assertEquals(0f, v, 1e-6f);
    Dataset stretched =
        UserData.load(
            d, UserData.Split.TRAIN, new DataSpec(null, ImageFolder.of(4, 4, 1), null, true));
    assertTrue(stretched.sample(1)[0] > 0.5f);
  }

  @Test
  void imageErrors() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertTrue(error(empty, DataSpec.labelled()).contains("has no class sub-folders"));
    Files.createDirectories(empty.resolve("cls"));
    assertTrue(error(empty, DataSpec.labelled()).contains("contains no PNG/JPEG/BMP images"));
    Path bad = dir.resolve("bad");
    Files.createDirectories(bad.resolve("cls"));
    Files.writeString(bad.resolve("cls").resolve("broken.png"), "not an image");
    assertTrue(error(bad, DataSpec.labelled()).contains("broken.png"));
    Path list = dir.resolve("list");
    png(list.resolve("a.png"), 4, 4, 0);
    Files.writeString(list.resolve("labels.csv"), "missing.png,1\n");
    assertTrue(error(list, DataSpec.labelled()).contains("line 1: no image file 'missing.png'"));
    Files.writeString(list.resolve("labels.csv"), "a.png\n");
    assertTrue(error(list, DataSpec.labelled()).contains("line 1: expected 'file,label'"));
    Files.writeString(list.resolve("labels.csv"), "a.png,1\nb.png,0\n");
    assertTrue(error(list, DataSpec.labelled()).contains("lists 2 images, the folder holds 1"));
  }

  @Test
  void idxFolderIsDetectedAndChecked() throws IOException {
    Path d = Files.createDirectories(dir.resolve("idx"));
    byte[] images = new byte[16 + 2 * 4];
    images[2] = 8;
    images[3] = 3;
    images[7] = 2;
    images[11] = 2;
    images[15] = 2;
    Files.write(d.resolve("train-images-idx3-ubyte"), images);
    Files.write(d.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
    assertEquals(UserData.Format.IDX, UserData.detect(d));
    String msg = error(d, DataSpec.labelled());
    assertTrue(msg.contains("count mismatch") || msg.contains("3 labels"), msg);
    Path none = dir.resolve("nothing.bin");
    assertThrows(java.nio.file.NoSuchFileException.class, () -> UserData.detect(none));
    Path unknown = Files.writeString(dir.resolve("data.bin"), "??");
    assertTrue(
        assertThrows(IOException.class, () -> UserData.detect(unknown))
            .getMessage()
            .contains("unknown data format"));
  }
}
