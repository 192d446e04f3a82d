package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.data.Dataset;
import org.qat4j.verify.Verification;

/**
 * Distributed verify on local[2] reproduces the single-node Verification's TFLite-vs-simulator
 * figures exactly (same doubles from the same long counts), on Fashion-MNIST and a qat4j int8
 * export.
 */
@Tag("native")
class DistributedVerifyTest {
  @Test
  void figuresEqualSingleNodeVerification() throws Exception {
    Fixtures f = Fixtures.get();
    Dataset d = f.test.load();
    Verification.Report rep =
        Verification.verify(f.qat, f.int8, d, Verification.Options.defaults().withSqnrSamples(0));
    VerifyStats s = DistributedVerify.run(f.sc, f.int8, f.test, 3);
    assertEquals(rep.samples(), s.samples());
    assertEquals(rep.outputElements(), s.outputElements());
    assertEquals(rep.bitExactFractionBuiltin(), s.builtin().exactFraction());
    assertEquals(rep.maxLsbBuiltin(), s.builtin().max());
    assertEquals(rep.bitExactFractionXnnpack(), s.xnnpack().exactFraction());
    assertEquals(rep.maxLsbXnnpack(), s.xnnpack().max());
    assertEquals(rep.withinOneLsbFractionXnnpack(), s.xnnpack().withinOneFraction());
    assertEquals(rep.bitExactFractionXnnpackF32Sim(), s.xnnpackF32Sim().exactFraction());
    assertEquals(rep.maxLsbXnnpackF32Sim(), s.xnnpackF32Sim().max());
    assertEquals(rep.accuracyInt8(), s.int8Builtin().accuracy());
    assertEquals(rep.accuracyInt8Xnnpack(), s.int8Xnnpack().accuracy());
    assertEquals(rep.accuracySimulator(), s.simulator().accuracy());
    VerifyStats whole = DistributedVerify.local(f.int8, d, 0, d.size());
    assertEquals(whole.builtin(), s.builtin(), "LSB histogram BUILTIN");
    assertEquals(whole.xnnpack(), s.xnnpack(), "LSB histogram XNNPACK");
    assertEquals(
        whole.xnnpackF32Sim(), s.xnnpackF32Sim(), "LSB histogram XNNPACK vs XNNPACK_F32 simulator");
    assertEquals(whole.int8Builtin(), s.int8Builtin(), "confusion matrix BUILTIN");
    assertEquals(whole.simulator(), s.simulator(), "confusion matrix simulator");
  }
}
