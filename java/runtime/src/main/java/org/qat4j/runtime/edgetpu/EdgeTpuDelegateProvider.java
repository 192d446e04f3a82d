package org.qat4j.runtime.edgetpu;

import java.util.LinkedHashMap;
import java.util.Map;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Delegate;
import org.qat4j.runtime.DelegateProvider;
import org.qat4j.runtime.TfliteException;

/**
 * The EDGETPU backend for {@link org.qat4j.runtime.Interpreter}: backend options {@code device}
 * (selector, see {@link EdgeTpuSelector}), {@code library} (explicit libedgetpu path, else the
 * system one) and libedgetpu's options ({@link EdgeTpuOptions#fromMap}); threads are ignored.
 */
public final class EdgeTpuDelegateProvider implements DelegateProvider {
  /** Backend option naming the device selector. */
  public static final String DEVICE = "device";

  /** Backend option naming an explicit libedgetpu path. */
  public static final String LIBRARY = "library";

  /** Name libedgetpu gives the delegate kernels that replace edgetpu-custom-op nodes. */
  public static final String KERNEL_NAME = "EdgeTpuDelegateForCustomOp";

  @Override
  public Backend backend() {
    return Backend.EDGETPU;
  }

  @Override
  public Delegate.Handle create(Map<String, String> options, int threads) {
    Map<String, String> rest = new LinkedHashMap<>(options);
    String selector = rest.remove(DEVICE);
    String library = rest.remove(LIBRARY);
    EdgeTpuOptions tpuOptions = EdgeTpuOptions.fromMap(rest);
    EdgeTpuSelector.parse(selector);
    EdgeTpuLibrary lib = library == null ? EdgeTpu.system() : EdgeTpu.library(library);
    EdgeTpuAvailability a = lib.probe();
    if (!a.available()) {
      throw new TfliteException("create EDGETPU delegate", a.toString());
    }
    try {
      return new Handle(lib.openDelegate(selector, tpuOptions));
    } catch (EdgeTpuException e) {
      throw new TfliteException(
          "create EDGETPU delegate", "unavailable because " + e.getMessage(), e);
    }
  }

  private static final class Handle implements Delegate.Handle {
    private final EdgeTpuDelegate delegate;

    Handle(EdgeTpuDelegate delegate) {
      this.delegate = delegate;
    }

    @Override
    public long address() {
      return delegate.address();
    }

    @Override
    public String kernelName() {
      return KERNEL_NAME;
    }

    @Override
    public void free() {
      delegate.close();
    }
  }
}
