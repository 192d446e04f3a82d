package org.qat4j.runtime.edgetpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib;
import org.qat4j.runtime.edgetpu.internal.TfLiteDelegate;
import org.qat4j.runtime.edgetpu.internal.etpu_device;
import org.qat4j.runtime.edgetpu.internal.etpu_lib;
import org.qat4j.runtime.edgetpu.internal.etpu_option;

/**
 * One libedgetpu, dlopen'ed by qat4j's shim (once per path, kept for the process). Obtained from
 * {@link EdgeTpu#system()} or {@link EdgeTpu#library(String)}; a library that failed to load stays
 * unavailable with its reason. Thread-safe.
 */
public final class EdgeTpuLibrary {
  private static final Map<String, EdgeTpuLibrary> CACHE = new ConcurrentHashMap<>();
  private static final int MAX_DEVICES = 256;

  private final etpu_lib handle;
  private final String path;
  private final String loadError;

  private EdgeTpuLibrary(String requested) {
    if (!NativeShim.loaded()) {
      handle = null;
      path = requested.isEmpty() ? EdgeTpu.DEFAULT_SONAME : requested;
      loadError = NativeShim.LOAD_FAILURE;
      return;
    }
    handle = EdgeTpuShimLib.etpu_open(requested.isEmpty() ? null : requested);
    path = NativeShim.string(EdgeTpuShimLib.etpu_lib_path(handle));
    loadError = NativeShim.string(EdgeTpuShimLib.etpu_load_error(handle));
  }

  /** "" = system default ($QAT4J_EDGETPU_LIB or libedgetpu.so.1). */
  static EdgeTpuLibrary get(String requested) {
    Objects.requireNonNull(requested, "library path");
    if (requested.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("libedgetpu path contains a NUL character: " + requested);
    }
    return CACHE.computeIfAbsent(requested, EdgeTpuLibrary::new);
  }

  /** The path or soname handed to dlopen. */
  public String path() {
    return path;
  }

  /** True when the library and its six edgetpu_* functions were loaded. */
  public boolean loaded() {
    return loadError == null;
  }

  /** Available when loaded and at least one device is enumerated; never throws. */
  public EdgeTpuAvailability probe() {
    if (loadError != null) {
      return EdgeTpuAvailability.unavailable(describeLoadError());
    }
    try {
      List<EdgeTpuDevice> devices = devices();
      String version = version();
      if (devices.isEmpty()) {
        return EdgeTpuAvailability.unavailable(
            "libedgetpu "
                + path
                + " ("
                + version
                + ") found no EdgeTPU device. "
                + EdgeTpu.noDeviceHint());
      }
      return EdgeTpuAvailability.available(path + " (" + version + "), devices " + devices);
    } catch (RuntimeException e) {
      return EdgeTpuAvailability.unavailable("probing " + path + " failed: " + e.getMessage());
    }
  }

  private String describeLoadError() {
    if (!NativeShim.loaded()) {
      return loadError;
    }
    if (loadError.startsWith("cannot dlopen")) {
      return "libedgetpu not found (" + loadError + "). " + EdgeTpu.installHint();
    }
    return "libedgetpu at "
        + path
        + " is unusable ("
        + loadError
        + "); it is not a libedgetpu C API library";
  }

  /** libedgetpu's version string, e.g. "BuildLabel(...), RuntimeVersion(14)". */
  public String version() {
    requireLoaded();
    String v = NativeShim.string(EdgeTpuShimLib.etpu_version(handle));
    return v == null ? "" : v;
  }

  /** The N of "RuntimeVersion(N)" in {@link #version()}, empty if absent. */
  public OptionalInt runtimeVersion() {
    return EdgeTpu.parseRuntimeVersion(version());
  }

  /** Connected EdgeTPUs in libedgetpu's enumeration order; empty when none. */
  public List<EdgeTpuDevice> devices() {
    requireLoaded();
    List<EdgeTpuDevice> out = new ArrayList<>();
    try (SizeTPointer n = new SizeTPointer(1)) {
      n.put(0L);
      etpu_device list = EdgeTpuShimLib.etpu_list_devices(handle, n);
      if (list == null || list.isNull()) {
        return out;
      }
      try {
        long count = Math.min(n.get(), MAX_DEVICES);
        for (long i = 0; i < count; i++) {
          etpu_device d = list.getPointer(i);
          EdgeTpuDevice.Type type = EdgeTpuDevice.Type.fromCode(d.type());
          String p = NativeShim.string(d.path());
          if (type != null && p != null) {
            out.add(new EdgeTpuDevice(type, p));
          }
        }
      } finally {
        EdgeTpuShimLib.etpu_free_devices(handle, list);
      }
    }
    return List.copyOf(out);
  }

  /** Sets libedgetpu's log verbosity, 0 (quiet) to 10 (most verbose). */
  public void verbosity(int level) {
    if (level < 0 || level > 10) {
      throw new IllegalArgumentException("EdgeTPU verbosity must be in 0..10, got " + level);
    }
    requireLoaded();
    EdgeTpuShimLib.etpu_verbosity(handle, level);
  }

  /**
   * Opens a delegate on the device named by selector (see {@link EdgeTpuSelector}) with options.
   * Selector and options are validated first; throws EdgeTpuException (with an install or device
   * hint) when the library or the device is missing or the device cannot be opened.
   */
  public EdgeTpuDelegate openDelegate(String selector, EdgeTpuOptions options) {
    EdgeTpuSelector sel = EdgeTpuSelector.parse(selector);
    Objects.requireNonNull(options, "options (use EdgeTpuOptions.defaults())");
    requireLoaded();
    EdgeTpuDevice device = sel.resolve(devices());
    EdgeTpu.warnVersionCouplingOnce();
    TfLiteDelegate d = create(device, options.toMap());
    if (d == null || d.isNull()) {
      throw new EdgeTpuException(
          "libedgetpu "
              + path
              + " could not open EdgeTPU "
              + device
              + " with options "
              + options
              + " (device busy in another process, no permission, or firmware load failed). "
              + EdgeTpu.noDeviceHint());
    }
    return new EdgeTpuDelegate(this, d, device, options);
  }

  private TfLiteDelegate create(EdgeTpuDevice device, Map<String, String> kv) {
    List<BytePointer> strings = new ArrayList<>();
    etpu_option array = kv.isEmpty() ? null : new etpu_option(kv.size());
    try {
      int i = 0;
      for (Map.Entry<String, String> e : kv.entrySet()) {
        BytePointer k = new BytePointer(e.getKey());
        BytePointer v = new BytePointer(e.getValue());
        strings.add(k);
        strings.add(v);
        array.getPointer(i++).name(k).value(v);
      }
      return EdgeTpuShimLib.etpu_create_delegate(
          handle, device.type().code, device.path(), array, kv.size());
    } finally {
      strings.forEach(BytePointer::close);
      if (array != null) {
        array.close();
      }
    }
  }

  etpu_lib handle() {
    return handle;
  }

  /** Test hook: forwards to the libedgetpu test double's control function; null for a real one. */
  String testControl(String command) {
    requireLoaded();
    return EdgeTpuShimLib.etpu_test_control(handle, command);
  }

  private void requireLoaded() {
    if (loadError != null) {
      throw new EdgeTpuException("EdgeTPU unavailable because " + describeLoadError());
    }
  }

  @Override
  public String toString() {
    return "EdgeTpuLibrary[" + path + (loadError == null ? "]" : ", not loaded]");
  }
}
