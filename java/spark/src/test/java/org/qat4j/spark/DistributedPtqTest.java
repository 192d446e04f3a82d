package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.data.UserData;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.calib.MinMaxEstimator;
import org.qat4j.quant.calib.PercentileEstimator;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.tflite.TfliteWriter;

/** Distributed PTQ on local[2] against single-node Ptq on the same Fashion-MNIST batches. */
@Tag("native")
class DistributedPtqTest {
  @Test
  void minMaxCalibrationGivesTheSameTfliteBytes() throws Exception {
    Fixtures f = Fixtures.get();
    Dataset d = f.train.load();
    List<Tensor> batches = DistributedPtq.batches(d, 0, d.size(), 64);
    byte[] single =
        TfliteWriter.write(
            Int8Lowering.lower(Ptq.quantize(f.model, batches, new MinMaxEstimator()), DType.INT8));
    for (int parts : new int[] {3}) {
      QatModel q =
          DistributedPtq.quantize(
              f.sc, f.savedModel, f.train.inputsOnly(), 64, parts, MergeableRange.MinMax.kind());
      assertArrayEquals(
          single, TfliteWriter.write(Int8Lowering.lower(q, DType.INT8)), parts + " partitions");
    }
  }

  @Test
  void percentileRangesAreWithinTheSketchBoundOfSingleNode() throws Exception {
    Fixtures f = Fixtures.get();
    // 128 images keep every activation below PercentileEstimator's 2^20-value sample, so
    // single-node is exact.
    DataRef calib =
        DataRef.labelled(FashionMnist.defaultDir(), UserData.Split.TRAIN, 128).inputsOnly();
    double alpha = 0.005;
    QatModel single =
        Ptq.quantize(
            f.model,
            DistributedPtq.batches(calib.load(), 0, 128, 32),
            new PercentileEstimator(99.9));
    QatModel dist =
        DistributedPtq.quantize(
            f.sc, f.savedModel, calib, 32, 3, MergeableRange.Percentile.kind(99.9, alpha));
    List<FakeQuantizer> a = single.quantizers(), b = dist.quantizers();
    assertEquals(a.size(), b.size());
    int compared = 0;
    for (int i = 0; i < a.size(); i++) {
      float[][] ea = {a.get(i).min(), a.get(i).max()}, eb = {b.get(i).min(), b.get(i).max()};
      for (int e = 0; e < 2; e++) {
        for (int k = 0; k < ea[e].length; k++) {
          double t = ea[e][k], v = eb[e][k];
          double bound = alpha * Math.abs(t) * (1 + 1e-6) + LogSketch.ZERO + Math.ulp((float) t);
          assertTrue(
              Math.abs(v - t) <= bound,
              a.get(i).name()
                  + (e == 0 ? " min " : " max ")
                  + v
                  + " vs single-node "
                  + t
                  + ", bound "
                  + bound);
          compared++;
        }
      }
    }
    assertTrue(compared > 0);
  }
}
