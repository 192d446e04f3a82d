package org.qat4j.core.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary tensor file: 8-byte magic {@code QAT4JW01}, int32 little-endian header length, a UTF-8
 * JSON header {@code {"dtype":"float32","byte_order":"little","tensors":[{name, shape, offset,
 * length}]}} (offset in bytes from the start of the data section), then the float32 data.
 */
final class WeightsFormat {
  private static final byte[] MAGIC = "QAT4JW01".getBytes(StandardCharsets.US_ASCII);

  private WeightsFormat() {}

  static void write(OutputStream out, List<NamedArray> arrays) throws IOException {
    JsonArray list = new JsonArray();
    long offset = 0;
    for (NamedArray a : arrays) {
      JsonObject t = new JsonObject();
      t.addProperty("name", a.name());
      JsonArray shape = new JsonArray();
      for (int d : a.shape()) shape.add(d);
      t.add("shape", shape);
      t.addProperty("offset", offset);
      t.addProperty("length", a.data().length);
      list.add(t);
      offset += 4L * a.data().length;
    }
    JsonObject header = new JsonObject();
    header.addProperty("dtype", "float32");
    header.addProperty("byte_order", "little");
    header.add("tensors", list);
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC).putInt(h.length);
    out.write(pre.array());
    out.write(h);
    for (NamedArray a : arrays) {
      ByteBuffer bb = ByteBuffer.allocate(4 * a.data().length).order(ByteOrder.LITTLE_ENDIAN);
      bb.asFloatBuffer().put(a.data());
      out.write(bb.array());
    }
  }

  /**
   * Parses a whole weights file; {@code where} names it in errors (e.g. "model.zip:weights.bin").
   */
  static Map<String, NamedArray> read(byte[] b, String where) throws IOException {
    if (b.length < 12 || !Arrays.equals(Arrays.copyOf(b, 8), MAGIC))
      throw new IOException(where + ": not a qat4j weights file (bad magic)");
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int hl = bb.getInt(8);
    if (hl < 2 || 12L + hl > b.length)
      throw new IOException(where + ": header length " + hl + " exceeds file size " + b.length);
    JsonObject header;
    try {
      header =
          JsonParser.parseString(new String(b, 12, hl, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(where + ": unreadable header JSON (" + e.getMessage() + ")", e);
    }
    int dataStart = 12 + hl;
    Map<String, NamedArray> out = new LinkedHashMap<>();
    for (JsonElement e : header.getAsJsonArray("tensors")) {
      NamedArray a = readOne(bb, e.getAsJsonObject(), dataStart, b.length, where);
      if (out.put(a.name(), a) != null)
        throw new IOException(where + ": tensor '" + a.name() + "' appears twice");
    }
    return out;
  }

  private static NamedArray readOne(
      ByteBuffer bb, JsonObject t, int dataStart, int fileLen, String where) throws IOException {
    String name = t.get("name").getAsString();
    JsonArray sa = t.getAsJsonArray("shape");
    int[] shape = new int[sa.size()];
    for (int i = 0; i < shape.length; i++) shape[i] = sa.get(i).getAsInt();
    long off = t.get("offset").getAsLong();
    int len = t.get("length").getAsInt();
    long size = 1;
    for (int d : shape) size *= d;
    if (size != len || len < 0)
      throw new IOException(
          where
              + ": tensor '"
              + name
              + "' shape "
              + Arrays.toString(shape)
              + " does not match length "
              + len);
    if (off < 0 || off % 4 != 0 || dataStart + off + 4L * len > fileLen) {
      throw new IOException(
          where
              + ": tensor '"
              + name
              + "' data ["
              + off
              + ", +"
              + 4L * len
              + ") lies outside the file (truncated?)");
    }
    float[] data = new float[len];
    ByteBuffer slice = bb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    slice.position((int) (dataStart + off));
    slice.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
    return new NamedArray(name, shape, data);
  }

  static List<NamedArray> fromSlots(Map<String, float[]> slots) {
    List<NamedArray> l = new ArrayList<>();
    slots.forEach((k, v) -> l.add(new NamedArray(k, new int[] {v.length}, v)));
    return l;
  }
}
