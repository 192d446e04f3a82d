package org.qat4j.runtime.edgetpu;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Pointer;
import org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib;

/**
 * Entry point to Coral EdgeTPUs through libedgetpu's C API, loaded at run time (never linked), so
 * this class always loads; {@link #probe()} says "unavailable because …" instead of throwing. The
 * static methods use the system library: {@code $QAT4J_EDGETPU_LIB} if set, else the soname {@code
 * libedgetpu.so.1}; {@link #library(String)} selects another one explicitly.
 */
public final class EdgeTpu {
  /** Environment variable naming the libedgetpu to load instead of the default soname. */
  public static final String LIBRARY_ENV = "QAT4J_EDGETPU_LIB";

  /** libedgetpu's Linux soname. */
  public static final String DEFAULT_SONAME = "libedgetpu.so.1";

  private static final System.Logger LOG = System.getLogger(EdgeTpu.class.getName());
  private static final Pattern RUNTIME_VERSION = Pattern.compile("RuntimeVersion\\((\\d{1,6})\\)");
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private EdgeTpu() {}

  /** The system libedgetpu ($QAT4J_EDGETPU_LIB or libedgetpu.so.1). */
  public static EdgeTpuLibrary system() {
    return EdgeTpuLibrary.get("");
  }

  /** The libedgetpu at an explicit path (or soname searched by the dynamic linker). */
  public static EdgeTpuLibrary library(String pathOrSoname) {
    if (pathOrSoname == null || pathOrSoname.isBlank()) {
      throw new IllegalArgumentException(
          "libedgetpu path must not be empty; use EdgeTpu.system() for the default");
    }
    return EdgeTpuLibrary.get(pathOrSoname);
  }

  /** Whether an EdgeTPU is usable through the system library, and why not; never throws. */
  public static EdgeTpuAvailability probe() {
    try {
      return system().probe();
    } catch (RuntimeException | LinkageError e) {
      return EdgeTpuAvailability.unavailable("the EdgeTPU binding failed: " + e);
    }
  }

  /** RuntimeVersion(N) of the system library; throws EdgeTpuException when it is not loaded. */
  public static OptionalInt runtimeVersion() {
    return system().runtimeVersion();
  }

  /** Devices enumerated by the system library; throws EdgeTpuException when it is not loaded. */
  public static List<EdgeTpuDevice> devices() {
    return system().devices();
  }

  /** Opens a delegate through the system library; see {@link EdgeTpuLibrary#openDelegate}. */
  public static EdgeTpuDelegate openDelegate(String selector, EdgeTpuOptions options) {
    return system().openDelegate(selector, options);
  }

  /** Parses "RuntimeVersion(N)" out of an edgetpu_version() string. */
  static OptionalInt parseRuntimeVersion(String version) {
    Matcher m = RUNTIME_VERSION.matcher(version == null ? "" : version);
    return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /**
   * Address of symbol in an already loaded native library (dlopen with RTLD_NOLOAD; nothing new is
   * loaded), e.g. {@code TfLiteXNNPackDelegateCreate} in the path returned by {@code
   * Loader.load(tensorflowlite.class)}; empty when the library is not loaded, lacks the symbol, or
   * the binding is unavailable.
   */
  public static OptionalLong loadedSymbolAddress(String libraryPath, String symbol) {
    if (libraryPath == null || symbol == null || !NativeShim.loaded()) {
      return OptionalLong.empty();
    }
    Pointer p = EdgeTpuShimLib.etpu_find_loaded_symbol(libraryPath, symbol);
    return p == null || p.isNull() ? OptionalLong.empty() : OptionalLong.of(p.address());
  }

  /** Why libedgetpu and qat4j's TFLite must match, printed once when the first delegate opens. */
  public static String versionCouplingWarning() {
    return "libedgetpu is compiled against one TensorFlow commit and must match the TFLite that runs the model; "
        + "qat4j runs TFLite 2.20 (org.bytedeco:tensorflow-lite 2.20.0-1.5.13) and no libedgetpu built for "
        + "TF 2.20 is published (Coral's latest targets TF 2.16.1). A mismatch shows up as \"Unsupported data "
        + "type in custom op handler\", wrong results or a crash; prefer a libedgetpu built for TF 2.20 "
        + "(e.g. from the feranick/libedgetpu builds) and verify outputs against the CPU.";
  }

  /** How to install libedgetpu. */
  public static String installHint() {
    return "Install the Edge TPU runtime from Coral's apt repository (deb https://packages.cloud.google.com/apt "
        + "coral-edgetpu-stable main): sudo apt-get install libedgetpu1-std (or libedgetpu1-max, unthrottled), "
        + "or point "
        + LIBRARY_ENV
        + " at a libedgetpu.so.1. See docs/EDGETPU.md.";
  }

  /** What to check when no device is found or it cannot be opened. */
  static String noDeviceHint() {
    return "USB Accelerator: plug it in (IDs 1a6e:089a, then 18d1:9302 after firmware load), install the udev "
        + "rules shipped with libedgetpu1-std, add your user to group plugdev and re-plug; PCIe/M.2: install "
        + "gasket-dkms and check /dev/apex_0 is accessible (group apex). See docs/EDGETPU.md.";
  }

  static void warnVersionCouplingOnce() {
    if (WARNED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, versionCouplingWarning());
    }
  }
}
