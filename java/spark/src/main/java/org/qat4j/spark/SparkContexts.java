package org.qat4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Opens the Spark context qat4j's distributed commands run in: {@code local[*]} (embedded, one JVM,
 * one task thread per core) by default, or any master Spark accepts ({@code local[N]},
 * {@code spark://host:7077}, {@code yarn}, {@code k8s://…}). The UI is off and a local driver binds
 * to the loopback address. The caller closes the returned context.
 */
public final class SparkContexts {
  /** The embedded default. */
  public static final String DEFAULT_MASTER = "local[*]";

  private SparkContexts() {}

  public static JavaSparkContext open(String master, String appName) {
    String m = master == null || master.isBlank() ? DEFAULT_MASTER : master.trim();
    SparkConf conf = new SparkConf().setMaster(m).setAppName(appName)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false");
    if (m.startsWith("local")) {
      conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    }
    return new JavaSparkContext(conf);
  }
}
