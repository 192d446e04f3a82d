package org.qat4j.core;

/**
 * Thrown at model build time when a layer cannot accept its input shapes; names the layer and the
 * shapes.
 */
public final class ShapeException extends IllegalArgumentException {
  public ShapeException(String layer, String message) {
    super("layer '" + layer + "': " + message);
  }
}
