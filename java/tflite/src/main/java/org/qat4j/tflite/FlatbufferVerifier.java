package org.qat4j.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Structural check of a flatbuffer against a table description, done before any generated accessor
 * touches the bytes: every table, vtable, offset, vector and string must lie inside the buffer and
 * be aligned, as the flatbuffers C++ Verifier (the one TFLite runs) requires. After it passes, the
 * generated accessors of the declared fields cannot read out of bounds, and vector lengths are
 * bounded by the file size, so later loops are bounded too.
 */
final class FlatbufferVerifier {
  /** Kinds of field a table may declare. */
  enum Kind {
    S1,
    S2,
    S4,
    S8,
    STRING,
    VEC1,
    VEC4,
    VEC8,
    TABLE,
    VEC_TABLE,
    UNION_TYPE,
    UNION
  }

  /** One declared field: its id, kind, and for tables/unions the nested description. */
  record Field(int id, Kind kind, TableDef table, Map<Integer, TableDef> union) {
    static Field of(int id, Kind kind) {
      return new Field(id, kind, null, null);
    }

    static Field table(int id, TableDef t) {
      return new Field(id, Kind.TABLE, t, null);
    }

    static Field tables(int id, TableDef t) {
      return new Field(id, Kind.VEC_TABLE, t, null);
    }

    static Field union(int id, Map<Integer, TableDef> members) {
      return new Field(id, Kind.UNION, null, members);
    }
  }

  /** A table description; fields not listed are ignored, as generated readers ignore them. */
  record TableDef(String name, Field... fields) {}

  private static final int MAX_DEPTH = 64;
  private static final int MAX_TABLES = 1_000_000;

  private final ByteBuffer bb;
  private final int size;
  private int tables;

  FlatbufferVerifier(byte[] bytes) {
    this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    this.size = bytes.length;
  }

  /**
   * Verifies the root table and identifier; throws {@link ModelFormatException} on the first
   * defect.
   */
  void verifyRoot(TableDef root, String identifier) {
    if (size < 8) throw fail("file", "too short for a flatbuffer (" + size + " bytes)");
    if (size >= Integer.MAX_VALUE - 8) throw fail("file", "larger than 2 GiB");
    for (int i = 0; i < 4; i++) {
      if (bb.get(4 + i) != (byte) identifier.charAt(i))
        throw fail("file", "file identifier is not \"" + identifier + "\"");
    }
    int rootPos = offsetTarget(0, "root offset");
    verifyTable(rootPos, root, root.name(), 0);
  }

  private void verifyTable(int pos, TableDef def, String where, int depth) {
    if (depth > MAX_DEPTH) throw fail(where, "tables nested deeper than " + MAX_DEPTH);
    if (++tables > MAX_TABLES) throw fail(where, "more than " + MAX_TABLES + " tables");
    check(pos, 4, 4, where, "table");
    long vt = (long) pos - bb.getInt(pos);
    if (vt < 0 || vt > size - 4L) throw fail(where, "vtable outside the file");
    int vtable = (int) vt;
    if ((vtable & 1) != 0) throw fail(where, "misaligned vtable");
    int vsize = bb.getShort(vtable) & 0xFFFF;
    int tsize = bb.getShort(vtable + 2) & 0xFFFF;
    if ((vsize & 1) != 0 || vsize < 4 || vtable + (long) vsize > size)
      throw fail(where, "bad vtable size " + vsize);
    if (pos + (long) tsize > size) throw fail(where, "table extends past the end of the file");
    for (Field f : def.fields()) verifyField(pos, vtable, vsize, f, def, where, depth);
  }

  private int fieldOffset(int vtable, int vsize, int id) {
    int slot = 4 + 2 * id;
    return slot + 2 <= vsize ? bb.getShort(vtable + slot) & 0xFFFF : 0;
  }

  private void verifyField(
      int pos, int vtable, int vsize, Field f, TableDef def, String where, int depth) {
    int off = fieldOffset(vtable, vsize, f.id());
    if (off == 0) return;
    int at = pos + off;
    String w = where + "." + def.name() + "#" + f.id();
    switch (f.kind()) {
      case S1, UNION_TYPE -> check(at, 1, 1, w, "field");
      case S2 -> check(at, 2, 2, w, "field");
      case S4 -> check(at, 4, 4, w, "field");
      case S8 -> check(at, 8, 8, w, "field");
      case STRING -> verifyString(offsetTarget(at, w), w);
      case VEC1 -> verifyVector(offsetTarget(at, w), 1, w);
      case VEC4 -> verifyVector(offsetTarget(at, w), 4, w);
      case VEC8 -> verifyVector(offsetTarget(at, w), 8, w);
      case TABLE -> verifyTable(offsetTarget(at, w), f.table(), w, depth + 1);
      case VEC_TABLE -> {
        int vec = offsetTarget(at, w);
        int n = verifyVector(vec, 4, w);
        for (int i = 0; i < n; i++)
          verifyTable(offsetTarget(vec + 4 + 4 * i, w), f.table(), w + "[" + i + "]", depth + 1);
      }
      case UNION -> {
        int typeOff = fieldOffset(vtable, vsize, f.id() - 1);
        int type = typeOff == 0 ? 0 : bb.get(pos + typeOff) & 0xFF;
        TableDef member = f.union().get(type);
        // Members we do not declare are never read, so (like the C++ verifier) they are skipped.
        if (member != null) verifyTable(offsetTarget(at, w), member, w, depth + 1);
      }
    }
  }

  /** Reads the uoffset at {@code at} and returns the absolute position it points to. */
  private int offsetTarget(int at, String where) {
    check(at, 4, 4, where, "offset");
    long target = (long) at + (bb.getInt(at) & 0xFFFFFFFFL);
    if (bb.getInt(at) <= 0 || target >= size) throw fail(where, "offset points outside the file");
    return (int) target;
  }

  private int verifyVector(int pos, int elemSize, String where) {
    check(pos, 4, 4, where, "vector length");
    long n = bb.getInt(pos) & 0xFFFFFFFFL;
    if (4 + n * elemSize > size - (long) pos)
      throw fail(where, "vector of " + n + " elements runs past the end of the file");
    return (int) n;
  }

  private void verifyString(int pos, String where) {
    int n = verifyVector(pos, 1, where);
    long end = (long) pos + 4 + n;
    if (end >= size || bb.get((int) end) != 0)
      throw fail(where, "string is not zero-terminated inside the file");
  }

  private void check(long pos, int len, int align, String where, String what) {
    if (pos < 0 || pos + len > size)
      throw fail(where, what + " at " + pos + " outside the file (" + size + " bytes)");
    if (pos % align != 0) throw fail(where, "misaligned " + what + " at " + pos);
  }

  private static ModelFormatException fail(String where, String what) {
    return new ModelFormatException(where, "invalid flatbuffer: " + what);
  }
}
