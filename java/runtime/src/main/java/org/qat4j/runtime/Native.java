package org.qat4j.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorflowlite.Reporter_Pointer_BytePointer_Pointer;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * Native plumbing shared by the runtime: library loading, TFLite error capture (formatted in C by
 * {@link CReporter} when qat4j's JNI library is loaded, else a Java fallback keeping the raw
 * format), and the path of the loaded TFLite library (where qat4j's C helpers look up exported but
 * unbound functions).
 */
final class Native {
  private static final Map<Long, StringBuilder> LOGS = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong(1);
  private static volatile Reporter_Pointer_BytePointer_Pointer reporter;
  private static volatile String libraryPath;

  private Native() {}

  /** Loads the TFLite JNI library once; a missing native library becomes a clear exception. */
  static synchronized void load() {
    if (reporter != null) {
      return;
    }
    try {
      libraryPath = Loader.load(tensorflowlite.class);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new TfliteException(
          "load TFLite",
          "unavailable because the JavaCPP tensorflow-lite natives for "
              + Loader.getPlatform()
              + " could not be loaded: "
              + e.getMessage(),
          e);
    }
    reporter = CReporter.available() ? CReporter.reporter() : javaReporter();
  }

  /**
   * File of the loaded TFLite JNI library (TFLite is linked into it statically); loads it first.
   */
  static String libraryPath() {
    load();
    return libraryPath;
  }

  /** Fallback without qat4j's JNI library: a Java callback that can keep only the raw format. */
  private static Reporter_Pointer_BytePointer_Pointer javaReporter() {
    return new Reporter_Pointer_BytePointer_Pointer() {
      @Override
      public void call(Pointer user, BytePointer format, Pointer args) {
        report(user, format, args);
      }
    };
  }

  /**
   * True when TFLite messages carry their values (C reporter), false when they show the printf
   * format.
   */
  static boolean formatsMessages() {
    return CReporter.available();
  }

  static String version() {
    load();
    return tensorflowlite.TfLiteVersion().getString();
  }

  /**
   * The single shared reporter: the C formatter from qat4j's JNI library, else the Java thunk
   * (JavaCPP has few callback slots per class, so never create one per object). Pair it only with
   * logs from {@link #openLog()}.
   */
  static Reporter_Pointer_BytePointer_Pointer reporter() {
    load();
    return reporter;
  }

  /**
   * Opens a log collector; the returned pointer is the reporter's user data. Close it only after
   * every TFLite object given it has been deleted (the C reporter writes into it).
   */
  static Pointer openLog() {
    if (CReporter.available()) {
      return CReporter.open();
    }
    long id = IDS.getAndIncrement();
    LOGS.put(id, new StringBuilder());
    return at(id);
  }

  /** Returns and clears what TFLite reported for this collector. */
  static String drainLog(Pointer log) {
    if (CReporter.available()) {
      return CReporter.drain(log);
    }
    StringBuilder sb = LOGS.get(log.address());
    if (sb == null) {
      return "";
    }
    synchronized (sb) {
      String s = sb.toString().trim();
      sb.setLength(0);
      return s;
    }
  }

  static void closeLog(Pointer log) {
    if (CReporter.available()) {
      CReporter.close(log);
    } else {
      LOGS.remove(log.address());
    }
  }

  private static void report(Pointer user, BytePointer format, Pointer args) {
    try {
      StringBuilder sb = user == null ? null : LOGS.get(user.address());
      if (sb == null || format == null) {
        return;
      }
      String msg = format(format, args);
      synchronized (sb) {
        if (sb.length() < 8192) {
          sb.append(msg).append('\n');
        }
      }
    } catch (Throwable t) {
      // never let an exception cross back into native code
    }
  }

  /**
   * Java fallback only: the va_list cannot be expanded from Java portably (a vsnprintf call through
   * a thunk crashed in libc, measured), so the format itself is kept, placeholders included; the C
   * reporter formats properly.
   */
  private static String format(BytePointer format, Pointer args) {
    return format.getString();
  }

  /**
   * JavaCPP function-pointer objects point at a wrapper whose first word is the C function pointer.
   */
  static PointerPointer<Pointer> thunkSlot(Pointer fn) {
    PointerPointer<Pointer> slot = new PointerPointer<>(1);
    slot.put(0, fn);
    return slot;
  }

  /**
   * A pointer with a given raw address (user data keys, sizes passed as pointer-width integers).
   */
  static Pointer at(long address) {
    return new Addr(address);
  }

  private static final class Addr extends Pointer {
    Addr(long address) {
      this.address = address;
    }
  }
}
