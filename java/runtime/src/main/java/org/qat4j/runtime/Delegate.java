package org.qat4j.runtime;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A native TFLite delegate shared by interpreters. Reference counted: {@link #close()} by the owner
 * frees the native delegate only after every interpreter that uses it has been closed.
 */
public final class Delegate implements AutoCloseable {
  private static final Map<Backend, DelegateProvider> PROVIDERS = new ConcurrentHashMap<>();

  /** The native side of a delegate, implemented by providers. */
  public interface Handle {
    /** Address of the {@code TfLiteDelegate} struct; valid until {@link #free()}. */
    long address();

    /**
     * Name TFLite gives the delegate's kernel nodes (e.g. "TfLiteXNNPackDelegate"), for coverage
     * reports.
     */
    String kernelName();

    /**
     * Frees the native delegate; called exactly once, after the last interpreter using it was
     * deleted.
     */
    void free();
  }

  private final Backend backend;
  private final Handle handle;
  private int users;
  private boolean closed;
  private boolean freed;

  private Delegate(Backend backend, Handle handle) {
    if (handle == null || handle.address() == 0) {
      throw new TfliteException(
          "create " + backend + " delegate", "provider returned a null delegate");
    }
    this.backend = backend;
    this.handle = handle;
  }

  /** Registers (or replaces) the provider for its backend. */
  public static void register(DelegateProvider provider) {
    PROVIDERS.put(provider.backend(), provider);
  }

  /** Creates a delegate for XNNPACK or a registered provider's backend. */
  public static Delegate create(Backend backend, Map<String, String> options, int threads) {
    switch (backend) {
      case XNNPACK:
        return new Delegate(backend, Xnnpack.create(threads, options));
      case EDGETPU:
        return new Delegate(backend, provider(backend).create(options, threads));
      default:
        throw new IllegalArgumentException(backend + " is not created as an explicit delegate");
    }
  }

  private static DelegateProvider provider(Backend backend) {
    DelegateProvider p = PROVIDERS.get(backend);
    if (p == null) {
      for (DelegateProvider sp : ServiceLoader.load(DelegateProvider.class)) {
        PROVIDERS.putIfAbsent(sp.backend(), sp);
      }
      p = PROVIDERS.get(backend);
    }
    if (p == null) {
      throw new TfliteException(
          "create " + backend + " delegate",
          "unavailable because no DelegateProvider for "
              + backend
              + " is registered (the libedgetpu binding is not on the class path)");
    }
    return p;
  }

  public Backend backend() {
    return backend;
  }

  String kernelName() {
    return handle.kernelName();
  }

  synchronized long acquire() {
    if (closed || freed) {
      throw new IllegalStateException(backend + " delegate is closed");
    }
    users++;
    return handle.address();
  }

  synchronized void releaseUse() {
    users--;
    freeIfUnused();
  }

  /** True once the native delegate has been freed. */
  public synchronized boolean isFreed() {
    return freed;
  }

  @Override
  public synchronized void close() {
    closed = true;
    freeIfUnused();
  }

  private void freeIfUnused() {
    if (closed && users == 0 && !freed) {
      freed = true;
      handle.free();
    }
  }
}
