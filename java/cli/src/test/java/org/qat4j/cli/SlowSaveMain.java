package org.qat4j.cli;

import java.io.FilterOutputStream;
import java.io.IOException;

/**
 * Child process of {@link CliSignalTest}: runs the CLI with a write that stalls after its first 1
 * 000 bytes (printing "WRITING" to stdout), so the parent can signal it in the middle of a save.
 */
public final class SlowSaveMain {
  private SlowSaveMain() {}

  public static void main(String[] args) {
    Outputs.faultHook =
        s ->
            new FilterOutputStream(s) {
              private long written;

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written += len;
                if (written >= 1000) {
                  System.out.println("WRITING");
                  System.out.flush();
                  try {
                    Thread.sleep(120_000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
            };
    System.exit(Main.run(args, System.err, System.err));
  }
}
