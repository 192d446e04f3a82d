package org.qat4j.core.data;

/**
 * How {@link UserData} turns files into a {@link Dataset}: the per-sample shape the model expects
 * (NHWC without batch, or null to keep the file's), the image loader for image folders (size,
 * channels, resize/crop, normalisation), the CSV label column (a header name or 0-based index, or
 * null for none), and whether labels are required (training, evaluation) or ignored (calibration).
 */
public record DataSpec(int[] sampleShape, ImageFolder images, String labelColumn, boolean labels) {
  public DataSpec {
    sampleShape = sampleShape == null ? null : sampleShape.clone();
  }

  /** Labelled data in the files' own shape; image folders at 28×28×1 in [0, 1]. */
  public static DataSpec labelled() {
    return new DataSpec(null, null, null, true);
  }

  /** Inputs only (labels are not read): what calibration needs. */
  public DataSpec inputsOnly() {
    return new DataSpec(sampleShape, images, labelColumn, false);
  }
}
