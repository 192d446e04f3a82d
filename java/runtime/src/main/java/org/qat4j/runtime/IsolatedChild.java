package org.qat4j.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.qat4j.runtime.TensorView.Role;
import org.qat4j.runtime.Wire.Op;

/**
 * Main class of an isolated interpreter's child JVM: serves {@link Wire} requests from stdin with
 * an in-process {@link Interpreter} and answers on stdout (System.out is redirected to stderr so
 * that only frames reach the pipe). Ends at CLOSE, or at end of stdin (parent gone) without
 * touching TFLite again. Test-only: the system property {@code
 * qat4j.isolate.testCrash=<stage>:<segv|abort>} crashes this process natively at that stage.
 */
final class IsolatedChild {
  private final String testCrash = System.getProperty("qat4j.isolate.testCrash", "");
  private final List<Object[]> timings = new ArrayList<>();
  private TfliteModel model;
  private Interpreter it;
  private DelegateCoverage coverage;

  private IsolatedChild() {}

  public static void main(String[] args) throws IOException {
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    System.setOut(System.err);
    InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
    IsolatedChild c = new IsolatedChild();
    for (DataInputStream req; (req = Wire.read(in)) != null; ) {
      Op op = Op.values()[req.readUnsignedByte()];
      Wire.Out reply = new Wire.Out();
      try {
        c.maybeCrash(op);
        reply.writeByte(0);
        c.serve(op, req, reply);
      } catch (RuntimeException e) {
        reply = new Wire.Out();
        Wire.failure(reply, e);
      }
      reply.sendTo(out);
      if (op == Op.CLOSE) {
        break;
      }
    }
    Runtime.getRuntime().halt(0);
  }

  private void serve(Op op, DataInputStream r, Wire.Out o) throws IOException {
    switch (op) {
      case LOAD -> model = TfliteModel.fromBytes(Wire.bytes(r));
      case CREATE -> create(r, o);
      case META -> Wire.meta(o, view(r).engineMeta());
      case WRITE -> view(r).view.write(ByteBuffer.wrap(Wire.bytes(r)));
      case READ -> o.bytes(view(r).view.readBuffer().array());
      case INVOKE -> {
        timings.clear();
        it.invoke();
        o.writeInt(timings.size());
        for (Object[] t : timings) {
          o.writeUTF((String) t[0]);
          o.writeLong((Long) t[1]);
        }
      }
      case RESIZE -> {
        int i = r.readInt();
        it.resizeInput(i, Wire.ints(r));
        Wire.coverage(o, coverage);
      }
      case CLOSE -> {
        if (it != null) {
          it.close();
        }
        if (model != null) {
          model.close();
        }
      }
    }
  }

  private void create(DataInputStream r, Wire.Out o) throws IOException {
    Interpreter.Options.Builder b = Interpreter.Options.builder();
    b.threads(r.readInt()).backend(Backend.valueOf(r.readUTF()));
    boolean timed = r.readBoolean();
    for (int n = r.readInt(); n > 0; n--) {
      b.backendOption(r.readUTF(), r.readUTF());
    }
    b.listener(
        new InterpreterListener() {
          @Override
          public void coverage(DelegateCoverage c) {
            coverage = c;
          }

          @Override
          public boolean timesOperators() {
            return timed;
          }

          @Override
          public void operatorTimed(String op, long nanos) {
            timings.add(new Object[] {op, nanos});
          }
        });
    if (model == null) {
      throw new IllegalStateException("CREATE before LOAD");
    }
    it = Interpreter.create(model, b.build());
    o.writeInt(it.inputCount());
    o.writeInt(it.outputCount());
    Wire.coverage(o, coverage);
  }

  /** A view addressed by role and index (index checks are the interpreter's own). */
  private record Target(Interpreter it, Role role, int index, TensorView view) {
    TensorIO.Meta engineMeta() {
      return it.engine().meta(role, index);
    }
  }

  private Target view(DataInputStream r) throws IOException {
    if (it == null) {
      throw new IllegalStateException("no interpreter");
    }
    Role role = Role.values()[r.readUnsignedByte()];
    int index = r.readInt();
    TensorView v =
        switch (role) {
          case INPUT -> it.input(index);
          case OUTPUT -> it.output(index);
          case MODEL -> it.tensor(index);
        };
    return new Target(it, role, index, v);
  }

  /**
   * Test-only crash on demand: a native write to an unmapped address (SIGSEGV) or a SIGABRT to this
   * process.
   */
  private void maybeCrash(Op op) {
    String want = op.stage + ":";
    if (!testCrash.startsWith(want)) {
      return;
    }
    if (testCrash.endsWith(":abort")) {
      try {
        new ProcessBuilder("kill", "-ABRT", Long.toString(ProcessHandle.current().pid()))
            .start()
            .waitFor();
        Thread.sleep(10_000);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("test crash failed", e);
      }
    }
    Pointer.memset(
        new Pointer() {
          {
            address = 16;
          }
        },
        0,
        64);
  }
}
