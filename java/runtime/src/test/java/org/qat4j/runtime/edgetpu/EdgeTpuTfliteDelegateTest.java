package org.qat4j.runtime.edgetpu;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterAllocateTensors;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterGetInputTensor;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterGetOutputTensor;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterInvoke;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsAddDelegate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteInterpreterOptionsSetNumThreads;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelCreate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteModelDelete;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorCopyFromBuffer;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorCopyToBuffer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteModel;
import org.bytedeco.tensorflowlite.TfLiteOpaqueDelegateStruct;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real TFLite (bytedeco C API) with the test double's delegate: TFLite calls its Prepare, it
 * claims nothing, and the uncompiled model's output equals the CPU-only run bit for bit; the
 * compiled model then cannot resolve edgetpu-custom-op and fails cleanly.
 */
@Tag("native")
class EdgeTpuTfliteDelegateTest {
    private static final int INPUT_BYTES = 128 * 128 * 3;
    private static final int CLASSES = 1001;

    private static Path model(String name) {
        Path dir = Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"));
        Path p = dir.resolve(name);
        assumeTrue(Files.isRegularFile(p), "shared model " + p + " absent (set -Dqat4j.sharedModels)");
        return p;
    }

    @Test
    void delegateClaimingNothingLeavesCpuResultsUnchanged() throws IOException {
        EdgeTpuLibrary lib = FakeEdgeTpu.library();
        byte[] bytes = Files.readAllBytes(model("mobilenet_v1_0.25_128_quant.tflite"));
        byte[] cpu = run(bytes, null);
        try (EdgeTpuDelegate delegate = lib.openDelegate("usb", EdgeTpuOptions.defaults())) {
            byte[] delegated = run(bytes, delegate);
            assertEquals("1", FakeEdgeTpu.stats(lib).get("prepare"), "TFLite must have called the delegate's Prepare");
            assertArrayEquals(cpu, delegated);
        }
        assertEquals("1", FakeEdgeTpu.stats(lib).get("free_delegate"));
        int sum = 0;
        for (byte b : cpu) {
            sum += b & 0xff;
        }
        assertTrue(sum > 200 && sum < 320, "softmax output (scale 1/256) should sum to about 256, got " + sum);
    }

    @Test
    void compiledModelWithADelegateThatClaimsNothingFailsCleanly() throws IOException {
        EdgeTpuLibrary lib = FakeEdgeTpu.library();
        byte[] bytes = Files.readAllBytes(model("mobilenet_v1_0.25_128_quant_edgetpu.tflite"));
        try (EdgeTpuDelegate delegate = lib.openDelegate("usb", EdgeTpuOptions.defaults());
                BytePointer buf = new BytePointer(bytes)) {
            TfLiteModel m = TfLiteModelCreate(buf, bytes.length);
            assertNotNull(m);
            TfLiteInterpreterOptions o = TfLiteInterpreterOptionsCreate();
            TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(delegate.attach()));
            TfLiteInterpreter it = TfLiteInterpreterCreate(m, o);
            boolean failed = it == null || it.isNull() || TfLiteInterpreterAllocateTensors(it) != 0;
            if (it != null && !it.isNull()) {
                TfLiteInterpreterDelete(it);
            }
            delegate.detach();
            TfLiteInterpreterOptionsDelete(o);
            TfLiteModelDelete(m);
            assertTrue(failed, "edgetpu-custom-op must stay unresolved when the delegate claims nothing");
        }
    }

    /** Runs one inference on a fixed gradient image; delegate may be null (CPU only). */
    private static byte[] run(byte[] model, EdgeTpuDelegate delegate) {
        try (BytePointer buf = new BytePointer(model); BytePointer in = new BytePointer(INPUT_BYTES);
                BytePointer out = new BytePointer(CLASSES)) {
            TfLiteModel m = TfLiteModelCreate(buf, model.length);
            assertNotNull(m);
            TfLiteInterpreterOptions o = TfLiteInterpreterOptionsCreate();
            TfLiteInterpreterOptionsSetNumThreads(o, 1);
            Pointer d = delegate == null ? null : delegate.attach();
            if (d != null) {
                TfLiteInterpreterOptionsAddDelegate(o, new TfLiteOpaqueDelegateStruct(d));
            }
            TfLiteInterpreter it = TfLiteInterpreterCreate(m, o);
            try {
                assertTrue(it != null && !it.isNull(), "interpreter creation failed");
                assertEquals(0, TfLiteInterpreterAllocateTensors(it));
                for (int i = 0; i < INPUT_BYTES; i++) {
                    in.put(i, (byte) ((i * 7 + (i / 384) * 3) & 0xff));
                }
                assertEquals(0, TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, 0), in, INPUT_BYTES));
                assertEquals(0, TfLiteInterpreterInvoke(it));
                assertEquals(0, TfLiteTensorCopyToBuffer(TfLiteInterpreterGetOutputTensor(it, 0), out, CLASSES));
                byte[] result = new byte[CLASSES];
                out.get(result);
                return result;
            } finally {
                if (it != null && !it.isNull()) {
                    TfLiteInterpreterDelete(it);
                }
                if (delegate != null) {
                    delegate.detach();
                }
                TfLiteInterpreterOptionsDelete(o);
                TfLiteModelDelete(m);
            }
        }
    }
}
