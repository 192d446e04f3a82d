package org.qat4j.cli;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.qat4j.ir.DType;
import picocli.CommandLine.Option;

/**
 * How {@code classify} and {@code run} turn an image file (PNG, JPEG, BMP) into a model input: the
 * size and channels come from the input tensor (NHWC, 1 or 3 channels), the values from its type
 * and quantization, or from {@code --mean}/{@code --std}.
 */
final class ImageOptions {
  @Option(
      names = "--resize",
      defaultValue = "stretch",
      paramLabel = "stretch|crop",
      description =
          "Stretch the image to the input size, or crop (keep the aspect ratio, cut out the centre)"
              + " (default: ${DEFAULT-VALUE}).")
  String resize;

  @Option(
      names = "--mean",
      paramLabel = "M[,M,M]",
      description =
          "Per-channel mean subtracted from pixels scaled to [0, 1]; with --std the real input is (p/255 - mean)/std. "
              + "Default: the input's own range (uint8: pixel values, int8: pixel - 128, float: [-1, 1]).")
  String mean;

  @Option(
      names = "--std",
      paramLabel = "S[,S,S]",
      description = "Per-channel divisor after --mean (default 1 when --mean is given).")
  String std;

  /** Checks the options before any model is opened (counts are checked against the input later). */
  void check() {
    if (!resize.equalsIgnoreCase("stretch") && !resize.equalsIgnoreCase("crop"))
      throw CliException.usage("--resize: must be stretch or crop, got '" + resize + "'");
    if (mean != null) values(mean, 0f, mean.split(",", -1).length, "--mean");
    if (std != null) values(std, 1f, std.split(",", -1).length, "--std");
  }

  static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp");
  }

  /** One image as the raw value of input {@code p}; errors name the option and file. */
  Object read(Path file, TensorIo.Port p, String option) {
    int[] s = p.shape();
    boolean nhwc = s.length == 4 && s[0] == 1 && (s[3] == 1 || s[3] == 3);
    if (!nhwc && !(s.length == 3 && s[0] == 1))
      throw CliException.usage(
          option
              + ": "
              + file
              + " is an image but input "
              + p.describe()
              + " is not an image input (NHWC or NHW, batch 1, 1 or 3 channels)");
    int h = s[1], w = s[2], c = nhwc ? s[3] : 1;
    int[] px = pixels(decode(file, option), h, w, c);
    if (mean == null && std == null) return rawDefault(px, p);
    float[] m = values(mean, 0f, c, "--mean"), d = values(std, 1f, c, "--std");
    float[] real = new float[px.length];
    for (int i = 0; i < px.length; i++) real[i] = (px[i] / 255f - m[i % c]) / d[i % c];
    return TensorIo.fromReal(real, p);
  }

  /** Pixels as uint8 numbers (uint8), shifted by −128 (int8), or scaled to [−1, 1] (float). */
  private static Object rawDefault(int[] px, TensorIo.Port p) {
    if (p.type() == DType.UINT8 || p.type() == DType.INT8) {
      int shift = p.type() == DType.INT8 ? 128 : 0;
      byte[] b = new byte[px.length];
      for (int i = 0; i < b.length; i++) b[i] = (byte) (px[i] - shift);
      return b;
    }
    if (p.type() == DType.FLOAT32) {
      float[] f = new float[px.length];
      for (int i = 0; i < f.length; i++) f[i] = px[i] / 127.5f - 1f;
      return f;
    }
    throw CliException.usage(
        "input " + p.describe() + ": images feed UINT8, INT8 or FLOAT32 inputs");
  }

  private static BufferedImage decode(Path file, String option) {
    DataOption.exists(file, option);
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null)
        throw CliException.usage(option + ": " + file + ": not a readable PNG/JPEG/BMP image");
      return img;
    } catch (IOException | RuntimeException e) {
      if (e instanceof CliException c) throw c;
      throw CliException.usage(
          option + ": " + file + ": cannot decode image (" + Main.oneLine(e) + ")");
    }
  }

  /** Bilinear resize to h×w (stretched or centre-cropped), then RGB or luma values 0–255, NHWC. */
  private int[] pixels(BufferedImage img, int h, int w, int c) {
    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    switch (resize.toLowerCase(Locale.ROOT)) {
      case "stretch" -> g.drawImage(img, 0, 0, w, h, null);
      case "crop" -> {
        double scale = Math.max(w / (double) img.getWidth(), h / (double) img.getHeight());
        int sw = (int) Math.round(w / scale), sh = (int) Math.round(h / scale);
        int sx = (img.getWidth() - sw) / 2, sy = (img.getHeight() - sh) / 2;
        g.drawImage(img, 0, 0, w, h, sx, sy, sx + sw, sy + sh, null);
      }
      default ->
          throw CliException.usage("--resize: must be stretch or crop, got '" + resize + "'");
    }
    g.dispose();
    int[] out = new int[h * w * c];
    for (int i = 0; i < h * w; i++) {
      int v = rgb.getRGB(i % w, i / w);
      int r = (v >> 16) & 0xFF, gr = (v >> 8) & 0xFF, b = v & 0xFF;
      if (c == 1) out[i] = Math.round(0.299f * r + 0.587f * gr + 0.114f * b);
      else {
        out[3 * i] = r;
        out[3 * i + 1] = gr;
        out[3 * i + 2] = b;
      }
    }
    return out;
  }

  private static float[] values(String s, float dflt, int c, String option) {
    float[] v = new float[c];
    Arrays.fill(v, dflt);
    if (s == null) return v;
    String[] parts = s.split(",", -1);
    if (parts.length != 1 && parts.length != c)
      throw CliException.usage(option + ": expected 1 or " + c + " values, got '" + s + "'");
    try {
      for (int i = 0; i < c; i++) v[i] = Float.parseFloat(parts[parts.length == 1 ? 0 : i].strip());
    } catch (NumberFormatException e) {
      throw CliException.usage(option + ": not a number list: '" + s + "'");
    }
    for (float x : v)
      if (!Float.isFinite(x))
        throw CliException.usage(option + ": values must be finite, got '" + s + "'");
    if (option.equals("--std"))
      for (float x : v)
        if (!(x > 0)) throw CliException.usage("--std: values must be > 0, got '" + s + "'");
    return v;
  }
}
