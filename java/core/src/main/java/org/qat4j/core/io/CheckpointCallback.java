package org.qat4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.EpochStats;
import org.qat4j.core.train.Trainer;

/**
 * Saves a {@link Checkpoint} after every epoch: to {@code file} (overwritten atomically) and, with
 * {@code keepEach}, also to {@code file-epochN.zip} next to it.
 */
public final class CheckpointCallback implements Callback {
  private final Path file;
  private final boolean keepEach;

  public CheckpointCallback(Path file, boolean keepEach) {
    this.file = file;
    this.keepEach = keepEach;
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochStats stats) {
    try {
      Checkpoint.save(trainer, file);
      if (keepEach) Checkpoint.save(trainer, epochFile(stats.epoch() + 1));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "checkpoint after epoch " + (stats.epoch() + 1) + " failed", e);
    }
  }

  /** Path used for the checkpoint after {@code epochs} completed epochs when keeping each. */
  public Path epochFile(int epochs) {
    String n = file.getFileName().toString();
    String base = n.endsWith(".zip") ? n.substring(0, n.length() - 4) : n;
    return file.resolveSibling(base + "-epoch" + epochs + ".zip");
  }
}
