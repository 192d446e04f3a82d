package org.qat4j.runtime;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.qat4j.runtime.TensorIO.Meta;
import org.qat4j.runtime.TensorView.Role;
import org.qat4j.runtime.Wire.Op;

/**
 * The parent half of an isolated interpreter: the same checks as in process (indices against the
 * counts, byte counts against the metadata) before each request to the child, metadata cached until
 * a resize, and a child that died turned into a {@link TfliteException} naming the signal, the
 * stage and the child's stderr. After that every call is refused.
 */
final class ChildEngine implements Engine {
  /** How long close() waits for the child to delete TFLite's objects and exit before killing it. */
  private static final long CLOSE_WAIT_MS = 20_000;

  private final Interpreter.Options options;
  private final int modelTensors;
  private final ChildProcess child;
  private final Map<Role, Integer> counts = new EnumMap<>(Role.class);
  private final Map<Long, Meta> metas = new HashMap<>();
  private DelegateCoverage coverage;
  private String dead;

  ChildEngine(TfliteModel model, Interpreter.Options options) {
    this.options = options;
    this.modelTensors = model.tensorCount();
    byte[] bytes = model.bytes();
    child = new ChildProcess();
    try {
      call(Op.LOAD, o -> o.bytes(bytes));
      DataInputStream r =
          call(
              Op.CREATE,
              o -> {
                o.writeInt(options.threads());
                o.writeUTF(options.backend().name());
                o.writeBoolean(
                    options.listeners().stream().anyMatch(InterpreterListener::timesOperators));
                o.writeInt(options.backendOptions().size());
                for (Map.Entry<String, String> e : options.backendOptions().entrySet()) {
                  o.writeUTF(e.getKey());
                  o.writeUTF(e.getValue());
                }
              });
      counts.put(Role.INPUT, r.readInt());
      counts.put(Role.OUTPUT, r.readInt());
      counts.put(Role.MODEL, modelTensors);
      coverage = Wire.coverage(r);
    } catch (RuntimeException | IOException e) {
      close();
      throw e instanceof RuntimeException re ? re : Wire.unchecked((IOException) e);
    }
  }

  /** The child's process id (tests check it ends). */
  long pid() {
    return child.pid();
  }

  @Override
  public DelegateCoverage coverage() {
    return coverage;
  }

  @Override
  public int count(Role role) {
    refuseIfDead();
    return counts.get(role);
  }

  @Override
  public Meta meta(Role role, int index) {
    int n = count(role);
    if (index < 0 || index >= n) {
      throw role.outOfRange(index, n);
    }
    long key = ((long) role.ordinal() << 32) | index;
    Meta m = metas.get(key);
    if (m == null) {
      m =
          readOrFail(
              Op.META,
              o -> {
                o.writeByte(role.ordinal());
                o.writeInt(index);
              },
              Wire::meta);
      metas.put(key, m);
    }
    return m;
  }

  @Override
  public void write(Role role, int index, Meta m, float[] src) {
    ByteBuffer b = ByteBuffer.allocate(src.length * 4).order(ByteOrder.nativeOrder());
    b.asFloatBuffer().put(src);
    write(role, index, m, b.array());
  }

  @Override
  public void write(Role role, int index, Meta m, int[] src) {
    ByteBuffer b = ByteBuffer.allocate(src.length * 4).order(ByteOrder.nativeOrder());
    b.asIntBuffer().put(src);
    write(role, index, m, b.array());
  }

  @Override
  public void write(Role role, int index, Meta m, byte[] src) {
    m.requireBytes(src.length);
    readOrFail(
        Op.WRITE,
        o -> {
          o.writeByte(role.ordinal());
          o.writeInt(index);
          o.bytes(src);
        },
        r -> null);
  }

  @Override
  public float[] readFloats(Role role, int index, Meta m) {
    float[] out = new float[(int) (m.byteSize() / 4)];
    ByteBuffer.wrap(readBytes(role, index, m))
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer()
        .get(out);
    return out;
  }

  @Override
  public int[] readInts(Role role, int index, Meta m) {
    int[] out = new int[(int) (m.byteSize() / 4)];
    ByteBuffer.wrap(readBytes(role, index, m))
        .order(ByteOrder.nativeOrder())
        .asIntBuffer()
        .get(out);
    return out;
  }

  @Override
  public byte[] readBytes(Role role, int index, Meta m) {
    byte[] b =
        readOrFail(
            Op.READ,
            o -> {
              o.writeByte(role.ordinal());
              o.writeInt(index);
            },
            Wire::bytes);
    m.requireBytes(b.length);
    return b;
  }

  @Override
  public void invoke() {
    readOrFail(
        Op.INVOKE,
        o -> {},
        r -> {
          for (int n = r.readInt(); n > 0; n--) {
            String op = r.readUTF();
            long nanos = r.readLong();
            timed(op, nanos);
          }
          return null;
        });
  }

  private void timed(String op, long nanos) {
    for (InterpreterListener l : options.listeners()) {
      if (l.timesOperators()) {
        try {
          l.operatorTimed(op, nanos);
        } catch (RuntimeException e) {
          // dropped, as in process (see InterpreterListener)
        }
      }
    }
  }

  @Override
  public void resize(int i, int[] shape) {
    metas.clear();
    coverage =
        readOrFail(
            Op.RESIZE,
            o -> {
              o.writeInt(i);
              Wire.ints(o, shape);
            },
            Wire::coverage);
  }

  /**
   * Asks the child to delete TFLite's objects and exit; kills it if it does not within the wait. A
   * crash during the delete throws after the child is gone.
   */
  @Override
  public void close() {
    if (dead != null) {
      return;
    }
    try {
      call(Op.CLOSE, o -> {});
      dead = "closed";
      child.reap(CLOSE_WAIT_MS);
    } catch (IOException e) {
      throw Wire.unchecked(e);
    } finally {
      if (dead == null) {
        dead = "closed";
      }
      child.reap(0);
    }
  }

  private void refuseIfDead() {
    if (dead != null) {
      throw new IllegalStateException("isolated interpreter is " + dead + "; create a new one");
    }
  }

  /** A payload writer; IOException from the pipe means the child died. */
  private interface Body {
    void write(Wire.Out o) throws IOException;
  }

  private interface Reply<T> {
    T read(DataInputStream r) throws IOException;
  }

  private <T> T readOrFail(Op op, Body body, Reply<T> reply) {
    try {
      return reply.read(call(op, body));
    } catch (IOException e) {
      throw Wire.unchecked(e);
    }
  }

  /**
   * Sends one request and returns the OK reply's payload; a failure reply is rethrown, a dead child
   * diagnosed.
   */
  private DataInputStream call(Op op, Body body) throws IOException {
    refuseIfDead();
    DataInputStream r;
    try {
      Wire.Out o = new Wire.Out();
      o.writeByte(op.ordinal());
      body.write(o);
      o.sendTo(child.in());
      r = Wire.read(child.out());
    } catch (IOException e) {
      r = null;
    }
    if (r == null) {
      throw died(op);
    }
    if (r.readUnsignedByte() != 0) {
      throw Wire.failure(r);
    }
    return r;
  }

  private TfliteException died(Op op) {
    int exit = child.reap(5_000);
    String err = child.stderr();
    String cause = ChildProcess.cause(exit, err);
    dead = "dead: its child process " + child.pid() + " died by " + cause + " during " + op.stage;
    String excerpt = ChildProcess.excerpt(err);
    return new TfliteException(
        "isolated " + op.stage,
        "child process "
            + child.pid()
            + " died by "
            + cause
            + " during "
            + op.stage
            + "; this JVM goes on, the interpreter is unusable"
            + (excerpt.isEmpty() ? "" : ". Child stderr:\n" + excerpt));
  }
}
