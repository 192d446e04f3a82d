package org.qat4j.runtime;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class ScratchProbeTest {
  @Test
  void dump() {
    Native.load();
    System.out.println("version " + Native.version());
    Pointer def = Loader.addressof("TfLiteXNNPackDelegateOptionsDefault");
    try (BytePointer opts = new BytePointer(256)) {
      opts.fill(0xAA);
      Native.callPointerFn(def, opts);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 96; i++) sb.append(String.format("%02x", opts.get(i) & 0xff)).append(i % 8 == 7 ? " | " : " ");
      System.out.println("OPTS " + sb);
    }
    Delegate.Handle h = Xnnpack.create(2, java.util.Map.of());
    System.out.println("XNN delegate " + Long.toHexString(h.address()));
    h.free();
    try {
      TfliteModel.fromBytes(new byte[] {0,0,0,0,'T','F','L','3',1,2,3,4,5,6,7,8});
    } catch (TfliteException e) { System.out.println("EX " + e.getMessage()); }
  }
}
