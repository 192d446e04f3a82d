package org.qat4j.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.qat4j.core.data.DataSpec;
import org.qat4j.core.data.ImageFolder;
import org.qat4j.core.data.UserData;
import picocli.CommandLine.Option;

/**
 * The data options every data-using command shares: {@code --data} (IDX folder, image folder, .npy,
 * .npz or .csv; format detected by {@link UserData}), {@code --val-data}, {@code --test-data}, and
 * how images and CSV columns become samples.
 */
final class DataOption {
  @Option(
      names = "--data",
      paramLabel = "PATH",
      description =
          "Data: an IDX folder (Fashion-MNIST/MNIST names; default "
              + "/usr/share/datasets/fashion-mnist), an image folder (sub-folder per class, or images + labels.csv), .npy/.npz (x, y) or .csv.")
  Path data;

  @Option(
      names = "--val-data",
      paramLabel = "PATH",
      description = "Validation data (train, quantize): reported per epoch.")
  Path valData;

  @Option(
      names = "--test-data",
      paramLabel = "PATH",
      description =
          "Test data; default: the t10k split of an IDX --data (train, quantize) or --data itself (eval, verify).")
  Path testData;

  @Option(
      names = "--input-size",
      paramLabel = "H[xW[xC]]",
      description = "Image size for image folders (default: the model's input).")
  String inputSize;

  @Option(
      names = "--resize",
      defaultValue = "stretch",
      paramLabel = "stretch|crop",
      description =
          "Image resizing: stretch to the size, or crop (keep aspect ratio, cut out the centre) (default: ${DEFAULT-VALUE}).")
  String resize;

  @Option(
      names = "--mean",
      paramLabel = "M[,M,M]",
      description = "Per-channel mean subtracted from images scaled to [0, 1] (default 0).")
  String mean;

  @Option(
      names = "--std",
      paramLabel = "S[,S,S]",
      description = "Per-channel divisor after the mean (default 1).")
  String std;

  @Option(
      names = "--label-column",
      paramLabel = "NAME|INDEX",
      description =
          "CSV column holding integer class labels (name in the header, or 0-based index).")
  String labelColumn;

  /** The checked data path: {@code --data}, or the default Fashion-MNIST folder when not given. */
  Path dir() {
    if (data == null) return Args.dataDir(null, "--data");
    return exists(data, "--data");
  }

  /** Train and quantize need a test set: an IDX --data has one, other formats need --test-data. */
  void requireTestSplit() {
    if (testData != null) {
      exists(testData, "--test-data");
    } else if (format(dir(), "--data") != UserData.Format.IDX) {
      throw CliException.usage(
          "--test-data: needed when --data is not an IDX folder (only IDX folders carry their own test split)");
    } else {
      Args.dataDir(
          dir(), "--data"); // all four IDX files present: fail before the training set is read
    }
    if (valData != null) exists(valData, "--val-data");
  }

  static Path exists(Path p, String option) {
    if (!Files.exists(p)) throw CliException.usage(option + ": no such file or folder: " + p);
    return p;
  }

  static UserData.Format format(Path p, String option) {
    try {
      return UserData.detect(p);
    } catch (NoSuchFileException e) {
      throw CliException.usage(option + ": no such file or folder: " + p);
    } catch (java.io.IOException e) {
      throw CliException.usage(option + ": " + Main.oneLine(e));
    }
  }

  /** The loader settings for a model with per-sample input {@code shape} (null when unknown). */
  DataSpec spec(int[] shape, boolean labels) {
    return new DataSpec(shape, images(shape), labelColumn, labels);
  }

  /** Defaults when a command has no data options (the demo): labelled Fashion-MNIST-style data. */
  static DataSpec defaultSpec(int[] shape, boolean labels) {
    return new DataSpec(shape, null, null, labels);
  }

  private ImageFolder images(int[] shape) {
    int[] size =
        inputSize != null
            ? size(inputSize)
            : shape != null && shape.length == 3 && (shape[2] == 1 || shape[2] == 3)
                ? shape
                : new int[] {28, 28, 1};
    int c = size[2];
    ImageFolder f;
    try {
      f =
          new ImageFolder(
              size[0],
              size[1],
              c,
              perChannel(mean, 0f, c, "--mean"),
              perChannel(std, 1f, c, "--std"));
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--input-size/--mean/--std: " + e.getMessage());
    }
    return switch (resize.toLowerCase(Locale.ROOT)) {
      case "stretch" -> f;
      case "crop" -> f.withCenterCrop();
      default ->
          throw CliException.usage("--resize: must be stretch or crop, got '" + resize + "'");
    };
  }

  /** "H", "HxW" or "HxWxC" (C defaults to 1). */
  static int[] size(String s) {
    String[] p = s.toLowerCase(Locale.ROOT).split("x", -1);
    int[] v = new int[3];
    try {
      if (p.length > 3) throw new NumberFormatException();
      for (int i = 0; i < p.length; i++) v[i] = Integer.parseInt(p[i].strip());
    } catch (NumberFormatException e) {
      throw CliException.usage("--input-size: expected H, HxW or HxWxC, got '" + s + "'");
    }
    if (p.length < 2) v[1] = v[0];
    if (p.length < 3) v[2] = 1;
    if (v[0] <= 0 || v[1] <= 0 || (v[2] != 1 && v[2] != 3))
      throw CliException.usage("--input-size: sizes must be > 0 and C 1 or 3, got '" + s + "'");
    return v;
  }

  private static float[] perChannel(String s, float dflt, int channels, String option) {
    float[] v = new float[channels];
    Arrays.fill(v, dflt);
    if (s == null) return v;
    String[] p = s.split(",", -1);
    if (p.length != 1 && p.length != channels)
      throw CliException.usage(option + ": expected 1 or " + channels + " values, got '" + s + "'");
    try {
      for (int i = 0; i < channels; i++) v[i] = Float.parseFloat(p[p.length == 1 ? 0 : i].strip());
    } catch (NumberFormatException e) {
      throw CliException.usage(option + ": not a number list: '" + s + "'");
    }
    return v;
  }
}
