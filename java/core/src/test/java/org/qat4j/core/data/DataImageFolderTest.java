package org.qat4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class DataImageFolderTest {
  @TempDir Path root;

  private void image(String cls, String file, String format, int w, int h, int rgb)
      throws IOException {
    Files.createDirectories(root.resolve(cls));
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
    assertTrue(ImageIO.write(img, format, root.resolve(cls).resolve(file).toFile()));
  }

  @Test
  void loadsClassesResizesAndNormalises() throws IOException {
    image("cat", "a.png", "png", 10, 6, 0xff0000);
    image("cat", "b.bmp", "bmp", 3, 3, 0x00ff00);
    image("dog", "c.png", "png", 8, 8, 0x0000ff);
    Files.writeString(root.resolve("dog").resolve("notes.txt"), "ignored");
    ImageFolder f =
        new ImageFolder(4, 4, 3, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    Dataset d = f.load(root);
    assertEquals(3, d.size());
    assertEquals(List.of("cat", "dog"), d.classNames());
    assertArrayEquals(new int[] {4, 4, 3}, d.sampleShape());
    assertEquals(0, d.label(0));
    assertEquals(1, d.label(2));
    float[] red = d.sample(0);
    assertArrayEquals(new float[] {1f, -1f, -1f}, new float[] {red[0], red[1], red[2]}, 1e-6f);
    float[] blue = d.sample(2);
    assertEquals(1f, blue[4 * 4 * 3 - 1], 1e-6f);
  }

  @Test
  void grayscaleJpeg() throws IOException {
    image("a", "x.jpg", "jpg", 16, 16, 0x808080);
    Dataset d = ImageFolder.of(8, 8, 1).load(root);
    assertArrayEquals(new int[] {8, 8, 1}, d.sampleShape());
    assertEquals(128 / 255f, d.sample(0)[27], 0.02f);
  }

  @Test
  void corruptImageNamesFile() throws IOException {
    Files.createDirectories(root.resolve("a"));
    Path bad = root.resolve("a").resolve("broken.png");
    Files.write(bad, new byte[] {1, 2, 3, 4});
    IOException e = assertThrows(IOException.class, () -> ImageFolder.of(4, 4, 1).load(root));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
  }

  @Test
  void emptyFolderRejected() throws IOException {
    assertThrows(IOException.class, () -> ImageFolder.of(4, 4, 1).load(root));
    Files.createDirectories(root.resolve("empty"));
    IOException e = assertThrows(IOException.class, () -> ImageFolder.of(4, 4, 1).load(root));
    assertTrue(e.getMessage().contains("no PNG/JPEG/BMP"), e.getMessage());
  }
}
