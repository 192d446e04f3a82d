package org.qat4j.runtime;

import java.util.Map;

/**
 * Creates native delegates for a backend (the hook used by the EdgeTPU binding). Register with
 * {@link Delegate#register(DelegateProvider)} or through {@code
 * META-INF/services/org.qat4j.runtime.DelegateProvider}.
 */
public interface DelegateProvider {
  /** The backend this provider serves. */
  Backend backend();

  /**
   * Creates a delegate; throws {@link TfliteException} whose message starts with "unavailable
   * because" when the library or device is missing.
   */
  Delegate.Handle create(Map<String, String> options, int threads);
}
