package org.qat4j.tflite.edgetpu;

import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Rewrites the stored version of an operator code in written .tflite bytes (the writer always emits
 * minimal versions, so "too new" needs a patch). Only versions stored explicitly (≠ 1) can be
 * patched in place.
 */
final class OpVersionPatch extends Table {
  private static final int OPERATOR_CODES = 6; // vtable offset of Model field 1
  private static final int VERSION = 8; // OperatorCode field 2
  private static final int BUILTIN_CODE = 10; // OperatorCode field 3

  static byte[] setVersion(byte[] model, int builtinCode, int version) {
    byte[] out = model.clone();
    ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    OpVersionPatch t = new OpVersionPatch();
    t.__reset(bb.getInt(0), bb);
    int codes = t.__offset(OPERATOR_CODES);
    int start = t.__vector(codes);
    int n = t.__vector_len(codes);
    for (int i = 0; i < n; i++) {
      t.__reset(t.__indirect(start + 4 * i), bb);
      int c = t.__offset(BUILTIN_CODE);
      if (c == 0 || bb.getInt(t.bb_pos + c) != builtinCode) continue;
      int v = t.__offset(VERSION);
      if (v == 0)
        throw new IllegalStateException(
            "version of builtin " + builtinCode + " is the default; cannot patch in place");
      bb.putInt(t.bb_pos + v, version);
      return out;
    }
    throw new IllegalStateException("no operator code for builtin " + builtinCode);
  }
}
