package org.qat4j.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.layers.BatchNormalization;

/**
 * Recomputes the moving mean and variance of every (unfrozen) BatchNorm layer from the final
 * weights: forward passes in training mode over {@code maxBatches} batches, each layer's moving
 * statistics set to the plain average of the batch statistics (momentum (k−1)/k at batch k). After
 * a short run the momentum-0.99 averages still carry the initial zeros/ones and the early weights'
 * statistics (0.99^141 ≈ 24 % after 141 steps), so inference-mode accuracy collapses; this pass —
 * PyTorch's {@code update_bn}, the "recompute BN statistics" step of Keras users — fixes that.
 * Nothing but the moving statistics changes; momenta are restored.
 */
public final class BatchNormReestimation {
  private BatchNormReestimation() {}

  /**
   * Runs the pass over the first {@code maxBatches} batches of {@code data} in stored order;
   * returns the batches used (0 without BatchNorm).
   */
  public static int run(Model model, Dataset data, int batchSize, int maxBatches) {
    if (batchSize <= 0 || maxBatches <= 0)
      throw new IllegalArgumentException(
          "batchSize and maxBatches must be > 0, got " + batchSize + ", " + maxBatches);
    List<BatchNormalization> bns = new ArrayList<>();
    for (Node n : model.nodes())
      if (n.layer() instanceof BatchNormalization b && !b.frozen()) bns.add(b);
    if (bns.isEmpty() || data.size() == 0) return 0;
    float[] momenta = new float[bns.size()];
    for (int i = 0; i < momenta.length; i++) momenta[i] = bns.get(i).momentum();
    ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    int k = 0;
    try {
      for (Batch b : data.batches(batchSize, false, 0)) {
        if (k == maxBatches) break;
        k++;
        for (BatchNormalization bn : bns) bn.momentum((k - 1) / (float) k);
        model.forward(b.images(), ctx);
      }
    } finally {
      for (int i = 0; i < momenta.length; i++) bns.get(i).momentum(momenta[i]);
    }
    return k;
  }
}
