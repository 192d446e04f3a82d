package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates ../shared/models (system property qat4j.sharedModels) and skips with a message when
 * absent.
 */
public final class SharedModels {
  private SharedModels() {}

  public static Path dir() {
    return Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"));
  }

  public static Path require(String file) {
    Path p = dir().resolve(file);
    Assumptions.assumeTrue(
        Files.isRegularFile(p),
        "shared model "
            + p.toAbsolutePath()
            + " absent: set -Dqat4j.sharedModels=<dir> (skipping)");
    return p;
  }

  /** cat.bmp scaled bilinearly to size x size, as packed RGB bytes (NHWC, batch 1). */
  public static byte[] catPixels(int size) throws IOException {
    return pixels("cat.bmp", size);
  }

  /**
   * An image under the shared folder (e.g. "real/bird.bmp") scaled bilinearly to size x size,
   * packed RGB (NHWC).
   */
  public static byte[] pixels(String file, int size) throws IOException {
    BufferedImage src = ImageIO.read(require(file).toFile());
    assertNotNull(src, "ImageIO could not decode " + file);
    BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, size, size, null);
    g.dispose();
    byte[] out = new byte[size * size * 3];
    for (int i = 0; i < size * size; i++) {
      int rgb = dst.getRGB(i % size, i / size);
      out[3 * i] = (byte) (rgb >> 16);
      out[3 * i + 1] = (byte) (rgb >> 8);
      out[3 * i + 2] = (byte) rgb;
    }
    return out;
  }
}
