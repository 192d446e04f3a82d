package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.qat4j.core.Model;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Optimizer;
import org.qat4j.quant.QatModel;
import org.qat4j.runtime.Backend;

/**
 * The distributed half of {@code eval}, {@code verify}, {@code ptq} and {@code quantize} under
 * {@code --spark}. qat4j-spark implements it and registers it for {@link java.util.ServiceLoader},
 * so the CLI carries no Spark: the dependency points from qat4j-spark to qat4j-cli.
 */
public interface ScaleOut {
  /**
   * Where and on what a command runs.
   *
   * @param master Spark master ({@code local[*]}, {@code local[N]}, {@code spark://…}, …)
   * @param partitions tasks to split the data into (0 = the cluster's default parallelism)
   * @param data a path every executor can read (IDX folder, image folder, .npy/.npz, .csv)
   * @param labelColumn CSV label column, or null
   * @param limit only the first {@code limit} samples (0 = all)
   * @param sampleShape the model's per-sample input shape (NHWC without batch), or null
   * @param checkpoints shared folder for training checkpoints, or null for a temporary one
   */
  record Job(
      String master,
      int partitions,
      Path data,
      String labelColumn,
      int limit,
      int[] sampleShape,
      Path checkpoints) {
    /** The same job with the model's per-sample input shape. */
    public Job withSampleShape(int[] shape) {
      return new Job(master, partitions, data, labelColumn, limit, shape, checkpoints);
    }
  }

  /** Top-1 accuracy of a .tflite classifier on the test split: the eval contract fields. */
  JsonObject eval(Job job, Path tflite, Backend backend) throws IOException;

  /** A .tflite alone vs the integer simulator on the test split: verify's contract fields. */
  JsonObject verify(Job job, Path tflite) throws IOException;

  /** Min/max calibration of {@code floatModel} on the training split; lower the result to int8. */
  QatModel calibrate(Job job, Model floatModel, int batchSize) throws IOException;

  /**
   * Synchronous data-parallel training of {@code model} (updated in place) on the training split
   * with {@code optimizer}'s configuration and global batch {@code batchSize}.
   */
  History fit(Job job, QatModel model, Optimizer optimizer, int epochs, int batchSize, long seed)
      throws IOException;
}
