package org.qat4j.keras;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Test images of the twins as float NHWC inputs: 8-bit binary PGM (P5) and JPEG scaled bilinearly.
 */
final class TwinImages {
  private TwinImages() {}

  /** A P5 PGM as x/255, [H·W]. */
  static float[] pgm(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int[] pos = {0};
    String magic = token(b, pos);
    int w = Integer.parseInt(token(b, pos)),
        h = Integer.parseInt(token(b, pos)),
        max = Integer.parseInt(token(b, pos));
    if (!magic.equals("P5") || max != 255) throw new IOException(file + ": not an 8-bit P5 PGM");
    int off = pos[0] + 1;
    if (b.length < off + w * h) throw new IOException(file + ": truncated");
    float[] x = new float[w * h];
    for (int i = 0; i < x.length; i++) x[i] = (b[off + i] & 0xff) / 255f;
    return x;
  }

  private static String token(byte[] b, int[] pos) {
    while (Character.isWhitespace(b[pos[0]])) pos[0]++;
    int start = pos[0];
    while (!Character.isWhitespace(b[pos[0]])) pos[0]++;
    return new String(b, start, pos[0] - start, StandardCharsets.US_ASCII);
  }

  /**
   * A JPEG scaled to size x size, RGB as x/127.5 − 1 (Teachable Machine's preprocessing),
   * [size·size·3].
   */
  static float[] jpegTeachableMachine(Path file, int size) throws IOException {
    BufferedImage src = ImageIO.read(file.toFile());
    if (src == null) throw new IOException(file + ": ImageIO cannot decode it");
    BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, size, size, null);
    g.dispose();
    float[] x = new float[size * size * 3];
    for (int i = 0; i < size * size; i++) {
      int rgb = dst.getRGB(i % size, i / size);
      x[3 * i] = ((rgb >> 16) & 0xff) / 127.5f - 1f;
      x[3 * i + 1] = ((rgb >> 8) & 0xff) / 127.5f - 1f;
      x[3 * i + 2] = (rgb & 0xff) / 127.5f - 1f;
    }
    return x;
  }
}
