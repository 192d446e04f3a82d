package org.qat4j.ir.internal;

/**
 * The one switch for qat4j's Vector API training kernels (core and quant): they run when the JVM
 * has the incubating module jdk.incubator.vector in its boot layer (started with {@code
 * --add-modules jdk.incubator.vector}) unless {@code -Dqat4j.vector=false}. Callers test {@link
 * #on()} before touching a class that uses the module, so none is loaded without it.
 */
public final class VectorApi {
  /** The module's name, as on the {@code --add-modules} command line. */
  public static final String MODULE = "jdk.incubator.vector";

  /** True when the module is in the boot layer. */
  public static final boolean AVAILABLE = ModuleLayer.boot().findModule(MODULE).isPresent();

  private static volatile boolean on =
      AVAILABLE && !"false".equals(System.getProperty("qat4j.vector"));

  private VectorApi() {}

  /** True when the Vector API kernels are in use. */
  public static boolean on() {
    return on;
  }

  /** Switches the kernels on (if available) or off; for tests and probes comparing both paths. */
  public static void use(boolean vector) {
    on = vector && AVAILABLE;
  }
}
