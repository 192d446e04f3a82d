package org.qat4j.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;
import org.qat4j.runtime.TensorIO.Meta;

/**
 * The isolated interpreter's pipe protocol, one frame per request and per reply: a big-endian int
 * length, then that many bytes (a request starts with its {@link Op}, a reply with status 0 = OK or
 * 1 = error). Payload fields are {@link DataOutputStream} primitives; tensor data are raw bytes in
 * native order (parent and child share the machine).
 */
final class Wire {
  /** Largest frame accepted: a 2 GiB tensor plus headers would not fit a Java array anyway. */
  static final int MAX_FRAME = Integer.MAX_VALUE - 64;

  /** Requests; the stage names what a crash interrupted. */
  enum Op {
    LOAD("load"),
    CREATE("allocate"),
    META("tensor info"),
    WRITE("write"),
    READ("read"),
    INVOKE("invoke"),
    RESIZE("allocate after resize"),
    CLOSE("delete");

    final String stage;

    Op(String stage) {
      this.stage = stage;
    }
  }

  /** Kinds of exception a child reports, rethrown as the same type in the parent. */
  enum Failure {
    TFLITE,
    ILLEGAL_ARGUMENT,
    INDEX,
    ILLEGAL_STATE,
    OTHER
  }

  private Wire() {}

  /** Builds one frame's payload. */
  static final class Out extends DataOutputStream {
    Out() {
      super(new ByteArrayOutputStream(256));
    }

    Out bytes(byte[] b) throws IOException {
      writeInt(b.length);
      write(b);
      return this;
    }

    /** Writes the frame (length + payload) and flushes. */
    void sendTo(OutputStream os) throws IOException {
      byte[] payload = ((ByteArrayOutputStream) out).toByteArray();
      DataOutputStream d = new DataOutputStream(os);
      d.writeInt(payload.length);
      d.write(payload);
      d.flush();
    }
  }

  /** Reads one frame; null at a clean end of stream before its first byte. */
  static DataInputStream read(InputStream is) throws IOException {
    DataInputStream d = new DataInputStream(is);
    int b0 = d.read();
    if (b0 < 0) {
      return null;
    }
    int len =
        (b0 << 24)
            | (d.readUnsignedByte() << 16)
            | (d.readUnsignedByte() << 8)
            | d.readUnsignedByte();
    if (len < 0 || len > MAX_FRAME) {
      throw new IOException(
          "bad frame length " + len + " (stream corrupted, e.g. native code wrote to stdout)");
    }
    byte[] payload = new byte[len];
    d.readFully(payload);
    return new DataInputStream(new ByteArrayInputStream(payload));
  }

  static byte[] bytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new EOFException("byte block of " + n + " exceeds the frame");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  static void meta(Out o, Meta m) throws IOException {
    o.writeUTF(m.label());
    o.writeUTF(m.name());
    o.writeUTF(m.type().name());
    ints(o, m.shape());
    o.writeLong(m.byteSize());
    QuantParams q = m.quantization();
    float[] s = q == null ? new float[0] : q.scales();
    long[] z = q == null ? new long[0] : q.zeroPoints();
    o.writeInt(s.length);
    for (int i = 0; i < s.length; i++) {
      o.writeFloat(s[i]);
      o.writeLong(z[i]);
    }
    o.writeInt(q == null ? 0 : q.quantizedDimension());
  }

  static Meta meta(DataInputStream in) throws IOException {
    String label = in.readUTF();
    String name = in.readUTF();
    DType type = DType.valueOf(in.readUTF());
    int[] shape = ints(in);
    long byteSize = in.readLong();
    int n = in.readInt();
    float[] s = new float[n];
    long[] z = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = in.readFloat();
      z[i] = in.readLong();
    }
    int axis = in.readInt();
    return new Meta(label, name, type, shape, byteSize, TensorIO.params(s, z, axis));
  }

  static void ints(Out o, int[] v) throws IOException {
    o.writeInt(v.length);
    for (int x : v) {
      o.writeInt(x);
    }
  }

  static int[] ints(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 64) {
      throw new IOException("rank " + n + " out of range");
    }
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readInt();
    }
    return v;
  }

  static void coverage(Out o, DelegateCoverage c) throws IOException {
    o.writeUTF(c.backend().name());
    o.writeInt(c.modelOps());
    o.writeInt(c.delegateNodes());
    o.writeInt(c.delegatedOps());
    o.writeInt(c.cpuOps());
    o.writeInt(c.cpuOpCounts().size());
    for (Map.Entry<String, Integer> e : c.cpuOpCounts().entrySet()) {
      o.writeUTF(e.getKey());
      o.writeInt(e.getValue());
    }
    o.writeInt(c.delegateKernels().size());
    for (String k : c.delegateKernels()) {
      o.writeUTF(k);
    }
  }

  static DelegateCoverage coverage(DataInputStream in) throws IOException {
    Backend b = Backend.valueOf(in.readUTF());
    int modelOps = in.readInt();
    int nodes = in.readInt();
    int delegated = in.readInt();
    int cpu = in.readInt();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      counts.put(in.readUTF(), in.readInt());
    }
    List<String> kernels = new ArrayList<>();
    for (int i = in.readInt(); i > 0; i--) {
      kernels.add(in.readUTF());
    }
    return new DelegateCoverage(b, modelOps, nodes, delegated, cpu, counts, kernels);
  }

  /** An error reply: kind, step, message (without the "step: " prefix TfliteException adds). */
  static void failure(Out o, RuntimeException e) throws IOException {
    Failure kind =
        e instanceof TfliteException
            ? Failure.TFLITE
            : e instanceof IllegalArgumentException
                ? Failure.ILLEGAL_ARGUMENT
                : e instanceof IndexOutOfBoundsException
                    ? Failure.INDEX
                    : e instanceof IllegalStateException ? Failure.ILLEGAL_STATE : Failure.OTHER;
    String step = e instanceof TfliteException t ? t.step() : "isolated child";
    String msg = String.valueOf(e.getMessage());
    if (kind == Failure.TFLITE && msg.startsWith(step + ": ")) {
      msg = msg.substring(step.length() + 2);
    } else if (kind == Failure.OTHER) {
      msg = e.getClass().getName() + ": " + msg;
    }
    o.writeByte(1);
    o.writeByte(kind.ordinal());
    o.writeUTF(step);
    o.writeUTF(msg.length() > 16_000 ? msg.substring(0, 16_000) + " …" : msg);
  }

  static RuntimeException failure(DataInputStream in) throws IOException {
    Failure kind = Failure.values()[in.readUnsignedByte()];
    String step = in.readUTF();
    String msg = in.readUTF();
    return switch (kind) {
      case TFLITE, OTHER -> new TfliteException(step, msg);
      case ILLEGAL_ARGUMENT -> new IllegalArgumentException(msg);
      case INDEX -> new IndexOutOfBoundsException(msg);
      case ILLEGAL_STATE -> new IllegalStateException(msg);
    };
  }

  static UncheckedIOException unchecked(IOException e) {
    return new UncheckedIOException(e);
  }
}
