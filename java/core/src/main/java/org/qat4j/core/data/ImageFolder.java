package org.qat4j.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Loads an image-folder dataset: one sub-folder per class (sorted by name → label 0, 1, …), images
 * in PNG, JPEG or BMP read via ImageIO, resized bilinearly to H×W, converted to 1 (luma) or 3 (RGB)
 * channels, scaled to [0, 1] and normalised per channel as {@code (v - mean) / std}. With {@link
 * #withCenterCrop} images are scaled to cover H×W and the centre is cut out instead of stretched;
 * {@link ImageList} reads a flat folder labelled by a CSV with the same conversion.
 */
public final class ImageFolder {
  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

  private final int height;
  private final int width;
  private final int channels;
  private final float[] mean;
  private final float[] std;
  private boolean centerCrop;

  /** Loader producing H×W×channels samples; mean/std have one value per channel. */
  public ImageFolder(int height, int width, int channels, float[] mean, float[] std) {
    if (height <= 0 || width <= 0)
      throw new IllegalArgumentException(
          "image size must be positive, got " + height + "x" + width);
    if (channels != 1 && channels != 3)
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    if (mean.length != channels || std.length != channels)
      throw new IllegalArgumentException("mean and std need " + channels + " values each");
    for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("std values must be > 0");
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /** Loader with values in [0, 1] (mean 0, std 1). */
  public static ImageFolder of(int height, int width, int channels) {
    float[] m = new float[channels], s = new float[channels];
    java.util.Arrays.fill(s, 1f);
    return new ImageFolder(height, width, channels, m, s);
  }

  /** The same loader, keeping the aspect ratio: scale to cover H×W, then cut out the centre. */
  public ImageFolder withCenterCrop() {
    ImageFolder f = new ImageFolder(height, width, channels, mean, std);
    f.centerCrop = true;
    return f;
  }

  /** Per-sample shape {H, W, C} this loader produces. */
  public int[] sampleShape() {
    return new int[] {height, width, channels};
  }

  /** Reads every image under {@code root}/class/…; class names are attached to the dataset. */
  public Dataset load(Path root) throws IOException {
    if (!Files.isDirectory(root))
      throw new IOException("image folder " + root + " is not a directory");
    List<Path> classes;
    try (Stream<Path> s = Files.list(root)) {
      classes = s.filter(Files::isDirectory).sorted().toList();
    }
    if (classes.isEmpty())
      throw new IOException("image folder " + root + " has no class sub-folders");
    List<float[]> samples = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      names.add(classes.get(c).getFileName().toString());
      for (Path f : imagesIn(classes.get(c))) {
        samples.add(toSample(read(f)));
        labels.add(c);
      }
    }
    if (samples.isEmpty())
      throw new IOException("image folder " + root + " contains no PNG/JPEG/BMP images");
    int per = height * width * channels;
    float[] data = new float[samples.size() * per];
    int[] lab = new int[samples.size()];
    for (int i = 0; i < lab.length; i++) {
      System.arraycopy(samples.get(i), 0, data, i * per, per);
      lab[i] = labels.get(i);
    }
    return new Dataset(data, lab, new int[] {height, width, channels}, names.size())
        .withClassNames(names);
  }

  static List<Path> imagesIn(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p ->
                  EXTENSIONS.stream()
                      .anyMatch(
                          e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e)))
          .sorted()
          .toList();
    }
  }

  static BufferedImage read(Path f) throws IOException {
    BufferedImage img;
    try {
      img = ImageIO.read(f.toFile());
    } catch (IOException | RuntimeException e) {
      throw new IOException(f + ": cannot decode image (" + e.getMessage() + ")", e);
    }
    if (img == null) throw new IOException(f + ": not a readable PNG/JPEG/BMP image");
    return img;
  }

  /** Resizes to H×W and converts to normalised channel values in NHWC order. */
  float[] toSample(BufferedImage img) {
    BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    if (centerCrop) {
      double scale = Math.max(width / (double) img.getWidth(), height / (double) img.getHeight());
      int sw = (int) Math.round(width / scale), sh = (int) Math.round(height / scale);
      int sx = (img.getWidth() - sw) / 2, sy = (img.getHeight() - sh) / 2;
      g.drawImage(img, 0, 0, width, height, sx, sy, sx + sw, sy + sh, null);
    } else {
      g.drawImage(img, 0, 0, width, height, null);
    }
    g.dispose();
    float[] out = new float[height * width * channels];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = rgb.getRGB(x, y);
        float r = ((p >> 16) & 0xff) / 255f, gr = ((p >> 8) & 0xff) / 255f, b = (p & 0xff) / 255f;
        int o = (y * width + x) * channels;
        if (channels == 1) {
          out[o] = (0.299f * r + 0.587f * gr + 0.114f * b - mean[0]) / std[0];
        } else {
          out[o] = (r - mean[0]) / std[0];
          out[o + 1] = (gr - mean[1]) / std[1];
          out[o + 2] = (b - mean[2]) / std[2];
        }
      }
    }
    return out;
  }
}
