package org.qat4j.runtime.edgetpu;

import org.bytedeco.javacpp.Pointer;
import org.qat4j.runtime.edgetpu.internal.EdgeTpuShimLib;
import org.qat4j.runtime.edgetpu.internal.TfLiteDelegate;

/**
 * An EdgeTPU TfLiteDelegate created by libedgetpu for one device; owns the native delegate and
 * frees it on {@link #close()}. An interpreter using it must be deleted first: {@link #attach()}
 * marks it in use and {@link #close()} refuses (IllegalStateException) until {@link #detach()}.
 */
public final class EdgeTpuDelegate implements AutoCloseable {
  private final EdgeTpuLibrary library;
  private final EdgeTpuDevice device;
  private final EdgeTpuOptions options;
  private TfLiteDelegate handle;
  private int attached;

  EdgeTpuDelegate(
      EdgeTpuLibrary library, TfLiteDelegate handle, EdgeTpuDevice device, EdgeTpuOptions options) {
    this.library = library;
    this.handle = handle;
    this.device = device;
    this.options = options;
  }

  /** The device the delegate was opened on. */
  public EdgeTpuDevice device() {
    return device;
  }

  /** The options passed to libedgetpu. */
  public EdgeTpuOptions options() {
    return options;
  }

  /**
   * A non-owning view of the native {@code TfLiteDelegate*}, for {@code
   * TfLiteInterpreterOptionsAddDelegate(opts, new TfLiteOpaqueDelegateStruct(pointer()))}. Valid
   * until {@link #close()}; prefer {@link #attach()} when handing it to an interpreter.
   */
  public synchronized Pointer pointer() {
    requireOpen();
    return new Pointer(handle);
  }

  /** The native address of the delegate (see {@link #pointer()}). */
  public synchronized long address() {
    requireOpen();
    return handle.address();
  }

  /** Like {@link #pointer()}, and counts one user (an interpreter) until {@link #detach()}. */
  public synchronized Pointer attach() {
    requireOpen();
    attached++;
    return new Pointer(handle);
  }

  /** Releases one {@link #attach()}; call after the interpreter using the delegate was deleted. */
  public synchronized void detach() {
    if (attached == 0) {
      throw new IllegalStateException(
          "EdgeTPU delegate on " + device + " detached more often than attached");
    }
    attached--;
  }

  public synchronized boolean isClosed() {
    return handle == null;
  }

  /** Frees the native delegate; idempotent. Refuses while an interpreter is still attached. */
  @Override
  public synchronized void close() {
    if (handle == null) {
      return;
    }
    if (attached > 0) {
      throw new IllegalStateException(
          "EdgeTPU delegate on "
              + device
              + " is still used by "
              + attached
              + " interpreter(s): delete the interpreter and call detach() before closing the delegate");
    }
    EdgeTpuShimLib.etpu_free_delegate(library.handle(), handle);
    handle = null;
  }

  private void requireOpen() {
    if (handle == null) {
      throw new IllegalStateException("EdgeTPU delegate on " + device + " is closed");
    }
  }

  @Override
  public synchronized String toString() {
    return "EdgeTpuDelegate[" + device + ", " + options + (handle == null ? ", closed]" : "]");
  }
}
