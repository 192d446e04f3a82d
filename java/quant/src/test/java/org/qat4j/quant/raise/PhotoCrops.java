package org.qat4j.quant.raise;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A tiny 3-class image folder (bird, cat, person) cut from the real photos in shared/models, for
 * the Coral "retrain a classifier" tests here and in the CLI (quant's test-jar).
 */
public final class PhotoCrops {
  private PhotoCrops() {}

  /** ../shared/models, or the system property qat4j.sharedModels. */
  public static Path shared() {
    return Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"));
  }

  /**
   * Writes {@code root}/class/i.png: {@code n} square crops of each photo (corners, centre, sizes
   * 60–90 % of the short side, every other one mirrored), so each class has several views; {@code
   * offset} picks other views (a held-out set).
   */
  public static void write(Path root, int n, int offset) throws IOException {
    String[][] photos = {
      {"bird", "real/bird.bmp"}, {"cat", "cat.bmp"}, {"person", "real/grace_hopper.bmp"}
    };
    for (String[] p : photos) {
      BufferedImage img = ImageIO.read(shared().resolve(p[1]).toFile());
      Path dir = Files.createDirectories(root.resolve(p[0]));
      for (int i = 0; i < n; i++) {
        int k = i + offset, side = Math.min(img.getWidth(), img.getHeight());
        int s = side * (60 + (k * 7) % 31) / 100;
        int x = (img.getWidth() - s) * ((k * 5) % 9) / 8,
            y = (img.getHeight() - s) * ((k * 3) % 5) / 4;
        BufferedImage c = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = c.createGraphics();
        if (k % 2 == 0) g.drawImage(img, 0, 0, s, s, x, y, x + s, y + s, null);
        else g.drawImage(img, 0, 0, s, s, x + s, y, x, y + s, null);
        g.dispose();
        ImageIO.write(c, "png", dir.resolve(i + ".png").toFile());
      }
    }
  }
}
