package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;

/**
 * Keras Conv2DTranspose imported from a legacy HDF5 file written here with jhdf: Keras's kernel
 * layout (kh, kw, filters, in) and SAME/VALID output sizes, checked against the transposed
 * convolution computed directly from the file's arrays; and fixture 11, whose only layer classes
 * qat4j refuses are InstanceNormalization and (until its layer lands) LeakyReLU.
 */
class KerasResamplingTest {
  @TempDir Path tmp;

  private Path write(String padding, float[][][][] k, float[] b) throws IOException {
    String cfg =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\":"
            + " \"Conv2DTranspose\", \"config\": {\"name\": \"ct\", \"filters\": 2, \"kernel_size\":"
            + " [3, 2], \"strides\": [2, 2], \"padding\": \""
            + padding
            + "\", \"activation\": \"relu\", \"use_bias\": true, \"output_padding\": null,"
            + " \"batch_input_shape\": [null, 2, 3, 1]}}]}}";
    Path p = tmp.resolve(padding + ".h5");
    try (WritableHdfFile w = HdfFile.write(p)) {
      w.putAttribute("model_config", cfg);
      w.putAttribute("keras_version", "2.2.4");
      WritableGroup mw = w.putGroup("model_weights");
      mw.putAttribute("layer_names", new String[] {"ct"});
      WritableGroup g = mw.putGroup("ct");
      WritableGroup scope = g.putGroup("ct");
      scope.putDataset("kernel:0", k);
      scope.putDataset("bias:0", b);
      g.putAttribute("weight_names", new String[] {"ct/kernel:0", "ct/bias:0"});
    }
    return p;
  }

  @Test
  void conv2dTransposeComputesWhatTheFileDescribes() throws IOException {
    float[][][][] k = new float[3][2][2][1]; // (kh, kw, filters, in)
    for (int a = 0; a < 12; a++) k[a / 4][a / 2 % 2][a % 2][0] = (a % 5 - 2) * 0.25f + 0.1f * a;
    float[] b = {0.5f, -0.75f};
    float[] x = {1f, -2f, 0.5f, 3f, -1f, 2f};
    for (String pad : new String[] {"same", "valid"}) {
      Model m = KerasImporter.read(write(pad, k, b)).model();
      int oh = pad.equals("same") ? 4 : 5, ow = 6, top = pad.equals("same") ? 0 : 0;
      assertArrayEquals(new int[] {oh, ow, 2}, m.outputShape(), pad);
      float[] want = new float[oh * ow * 2];
      for (int iy = 0; iy < 2; iy++)
        for (int ix = 0; ix < 3; ix++)
          for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 2; kx++)
              for (int o = 0; o < 2; o++) {
                int oy = iy * 2 - top + ky, ox = ix * 2 + kx;
                if (oy < oh) want[(oy * ow + ox) * 2 + o] += x[iy * 3 + ix] * k[ky][kx][o][0];
              }
      for (int i = 0; i < want.length; i++) want[i] = Math.max(0f, want[i] + b[i % 2]);
      float[] got = m.predict(Tensor.of(x, 1, 2, 3, 1)).toArray();
      assertArrayEquals(want, got, 1e-6f, pad);
    }
  }

  @Test
  void upSampling2dNearestAndBilinear() throws IOException {
    String cfg =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
            + "{\"class_name\": \"UpSampling2D\", \"config\": {\"name\": \"n\", \"size\": [2, 1],"
            + " \"interpolation\": \"nearest\", \"batch_input_shape\": [null, 1, 2, 1]}},"
            + "{\"class_name\": \"UpSampling2D\", \"config\": {\"name\": \"b\", \"size\": 2,"
            + " \"interpolation\": \"bilinear\"}}]}}";
    Path p = tmp.resolve("up.h5");
    try (WritableHdfFile w = HdfFile.write(p)) {
      w.putAttribute("model_config", cfg);
      w.putAttribute("keras_version", "2.2.4");
      WritableGroup mw = w.putGroup("model_weights");
      mw.putAttribute("layer_names", new String[] {"n", "b"});
      // jhdf cannot write an empty string array: each group names one unused dataset
      for (String l : new String[] {"n", "b"}) {
        WritableGroup g = mw.putGroup(l);
        g.putDataset("unused:0", new float[] {0f});
        g.putAttribute("weight_names", new String[] {"unused:0"});
      }
    }
    Model m = KerasImporter.read(p).model();
    assertArrayEquals(new int[] {4, 4, 1}, m.outputShape());
    // [2, 6] → nearest rows [[2, 6], [2, 6]] → bilinear ×2: 2, 3, 5, 6 per row, rows repeated
    float[] row = {2f, 3f, 5f, 6f};
    float[] got = m.predict(Tensor.of(new float[] {2f, 6f}, 1, 1, 2, 1)).toArray();
    for (int r = 0; r < 4; r++)
      assertArrayEquals(row, Arrays.copyOfRange(got, 4 * r, 4 * r + 4), 1e-6f);
  }

  @Test
  void fixture11IsRefusedOnlyForLayersQat4jLacks() throws IOException {
    Path p = Fixtures.require("11_cyclegan_unet_instnorm_k224tf.h5");
    Set<String> classes = new TreeSet<>();
    try (HdfFile f = new HdfFile(p)) {
      String cfg = (String) f.getAttribute("model_config").getData();
      for (JsonElement l :
          JsonParser.parseString(cfg)
              .getAsJsonObject()
              .getAsJsonObject("config")
              .getAsJsonArray("layers"))
        classes.add(l.getAsJsonObject().get("class_name").getAsString());
    }
    assertTrue(classes.contains("Conv2DTranspose"), classes.toString());
    Set<String> refused = new TreeSet<>();
    for (String c : classes) if (LayerMapper.MISSING.contains(c)) refused.add(c);
    assertEquals(Set.of("InstanceNormalization"), refused);
  }
}
