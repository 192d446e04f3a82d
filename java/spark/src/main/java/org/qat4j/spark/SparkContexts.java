package org.qat4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Opens the Spark context qat4j's distributed commands run in: {@code local[*]} (embedded, one JVM,
 * one task thread per core) by default, or any master Spark accepts ({@code local[N]}, {@code
 * spark://host:7077}, {@code yarn}, {@code k8s://…}). The UI is off and a local driver binds to the
 * loopback address. The caller closes the returned context.
 */
public final class SparkContexts {
  /** The embedded default. */
  public static final String DEFAULT_MASTER = "local[*]";

  private SparkContexts() {}

  /** A context and whether this process created it (only then does {@link #close} stop it). */
  public record Session(JavaSparkContext sc, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) sc.close();
    }
  }

  private static JavaSparkContext current;

  /**
   * Joins the live context this class opened in this JVM (a test's, a notebook's), else opens one
   * on {@code master}.
   */
  public static synchronized Session session(String master, String appName) {
    if (current != null && !current.sc().isStopped()) return new Session(current, false);
    return new Session(open(master, appName), true);
  }

  /**
   * Opens a context on {@code master}; null keeps a master set by {@code spark-submit} (the {@code
   * spark.master} property), else {@code local[*]}.
   */
  public static synchronized JavaSparkContext open(String master, String appName) {
    SparkConf conf = new SparkConf();
    String m =
        master != null && !master.isBlank()
            ? master.trim()
            : conf.get("spark.master", DEFAULT_MASTER);
    conf.setMaster(m)
        .setAppName(appName)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false");
    if (m.startsWith("local")) {
      conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    }
    current = new JavaSparkContext(conf);
    current.setLogLevel("WARN");
    return current;
  }
}
