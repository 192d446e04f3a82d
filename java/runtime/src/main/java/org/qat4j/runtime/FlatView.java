package org.qat4j.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Bounds-checked read-only view of FlatBuffer tables; every bad offset throws {@link IllegalArgumentException}. */
final class FlatView {
  private final ByteBuffer bb;

  FlatView(byte[] bytes) {
    this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  int root() {
    return table(0);
  }

  /** Position of the table referenced by the uoffset stored at {@code pos}. */
  int table(int pos) {
    int t = ref(pos);
    int vt = t - i32(t);
    int vtLen = u16(vt);
    if (vtLen < 4 || (vtLen & 1) != 0) {
      throw new IllegalArgumentException("bad vtable at " + vt);
    }
    u16(vt + vtLen - 2);
    return t;
  }

  /** Absolute position of field {@code id} in table {@code t}, or -1 if absent. */
  int field(int t, int id) {
    int vt = t - i32(t);
    int vtLen = u16(vt);
    int o = 4 + 2 * id;
    if (o >= vtLen) {
      return -1;
    }
    int off = u16(vt + o);
    return off == 0 ? -1 : t + off;
  }

  int intField(int t, int id, int dflt) {
    int p = field(t, id);
    return p < 0 ? dflt : i32(p);
  }

  int byteField(int t, int id, int dflt) {
    int p = field(t, id);
    return p < 0 ? dflt : b(p);
  }

  /** Vector position (its length word) of field {@code id}, or -1. */
  int vector(int t, int id) {
    int p = field(t, id);
    if (p < 0) {
      return -1;
    }
    int v = ref(p);
    int len = i32(v);
    if (len < 0 || (long) v + 4 + (long) len > bb.capacity()) {
      throw new IllegalArgumentException("vector at " + v + " overruns the buffer");
    }
    return v;
  }

  int length(int v) {
    return v < 0 ? 0 : i32(v);
  }

  int tableAt(int v, int i) {
    checkIndex(v, i, 4);
    return table(v + 4 + 4 * i);
  }

  int intAt(int v, int i) {
    checkIndex(v, i, 4);
    return i32(v + 4 + 4 * i);
  }

  long longAt(int v, int i) {
    checkIndex(v, i, 8);
    return bb.getLong(v + 4 + 8 * i);
  }

  float floatAt(int v, int i) {
    checkIndex(v, i, 4);
    return bb.getFloat(v + 4 + 4 * i);
  }

  String string(int t, int id) {
    int v = vector(t, id);
    if (v < 0) {
      return "";
    }
    byte[] s = new byte[i32(v)];
    bb.get(v + 4, s);
    return new String(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void checkIndex(int v, int i, int size) {
    if (i < 0 || i >= i32(v) || (long) v + 4 + (long) size * (i + 1) > bb.capacity()) {
      throw new IllegalArgumentException("vector index " + i + " out of range at " + v);
    }
  }

  private int ref(int pos) {
    long target = (long) pos + (i32(pos) & 0xffffffffL);
    if (target + 4 > bb.capacity()) {
      throw new IllegalArgumentException("offset at " + pos + " points outside the buffer");
    }
    return (int) target;
  }

  private int i32(int pos) {
    check(pos, 4);
    return bb.getInt(pos);
  }

  private int u16(int pos) {
    check(pos, 2);
    return bb.getShort(pos) & 0xffff;
  }

  private int b(int pos) {
    check(pos, 1);
    return bb.get(pos);
  }

  private void check(int pos, int n) {
    if (pos < 0 || (long) pos + n > bb.capacity()) {
      throw new IllegalArgumentException("read of " + n + " bytes at " + pos + " outside buffer of " + bb.capacity());
    }
  }
}
