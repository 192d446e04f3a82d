package org.qat4j.runtime.edgetpu;

/**
 * Thrown when libedgetpu or an EdgeTPU device is not usable; the message names why and how to fix
 * it.
 */
public final class EdgeTpuException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  EdgeTpuException(String message) {
    super(message);
  }
}
