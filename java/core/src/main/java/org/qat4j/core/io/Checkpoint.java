package org.qat4j.core.io;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.qat4j.core.Model;
import org.qat4j.core.train.History;
import org.qat4j.core.train.Optimizer;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.train.TrainingState;

/**
 * A training checkpoint in one zip file: the model ({@code model.json}, {@code weights.bin}), the
 * optimizer ({@code optimizer.json} with hyper-parameters and update count, {@code optimizer.bin}
 * with its slots) and {@code trainer.json} (epoch, step, seed, batch size, history). Written
 * atomically: an interrupted save leaves the previous file intact. Resuming with the same thread
 * count continues exactly as an uninterrupted run.
 */
public final class Checkpoint {
  private static final String OPT_JSON = "optimizer.json";
  private static final String OPT_BIN = "optimizer.bin";
  private static final String TRAINER = "trainer.json";

  private static final String EXTRA = "extra";

  private final Model model;
  private final Optimizer optimizer;
  private final TrainingState state;
  private final JsonObject extra;

  private Checkpoint(Model model, Optimizer optimizer, TrainingState state, JsonObject extra) {
    this.model = model;
    this.optimizer = optimizer;
    this.state = state;
    this.extra = extra;
  }

  public Model model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public TrainingState state() {
    return state;
  }

  /** A copy of the caller's metadata saved with the checkpoint (empty when none was given). */
  public JsonObject extra() {
    return extra.deepCopy();
  }

  /** A trainer positioned where the checkpoint was taken (callbacks must be added again). */
  public Trainer trainer() {
    Trainer t = new Trainer(model, optimizer);
    t.restore(state);
    return t;
  }

  /** Saves the trainer's model, optimizer and state to {@code file} atomically. */
  public static void save(Trainer trainer, Path file) throws IOException {
    save(trainer.model(), trainer.optimizer(), trainer.state(), new JsonObject(), file);
  }

  /**
   * Saves a model, its optimizer and the state of any training loop (e.g. a {@code
   * MultiTaskTrainer}'s) to {@code file} atomically; {@code extra} is the caller's metadata (JSON,
   * returned by {@link #extra()}).
   */
  public static void save(Model model, Optimizer opt, TrainingState s, JsonObject extra, Path file)
      throws IOException {
    Map<String, float[]> slots = new LinkedHashMap<>(opt.slots());
    AtomicFile.write(
        file,
        out -> {
          ZipOutputStream zip = new ZipOutputStream(out);
          ModelIO.writeEntries(model, zip);
          JsonObject oj = new JsonObject();
          oj.add("config", opt.config());
          oj.addProperty("iterations", opt.iterations());
          ModelIO.put(zip, OPT_JSON, ModelIO.json(oj));
          zip.putNextEntry(new ZipEntry(OPT_BIN));
          WeightsFormat.write(zip, WeightsFormat.fromSlots(slots));
          zip.closeEntry();
          JsonObject tj = stateJson(s);
          tj.add(EXTRA, extra.deepCopy());
          ModelIO.put(zip, TRAINER, ModelIO.json(tj));
          zip.finish();
        });
  }

  /** Reads a checkpoint written by {@link #save}. */
  public static Checkpoint load(Path file) throws IOException {
    Map<String, byte[]> entries = ModelIO.readZip(file);
    String where = file.toString();
    Model model = ModelIO.fromEntries(entries, where);
    try {
      JsonObject oj = ModelIO.parse(ModelIO.entry(entries, OPT_JSON, where));
      Optimizer opt = Optimizer.fromConfig(oj.getAsJsonObject("config"));
      Map<String, float[]> slots = new LinkedHashMap<>();
      WeightsFormat.read(ModelIO.entry(entries, OPT_BIN, where), where + ":" + OPT_BIN)
          .forEach((k, v) -> slots.put(k, v.data()));
      opt.restore(slots, oj.get("iterations").getAsLong());
      JsonObject tj = ModelIO.parse(ModelIO.entry(entries, TRAINER, where));
      TrainingState s =
          new TrainingState(
              tj.get("epoch").getAsInt(),
              tj.get("global_step").getAsLong(),
              tj.get("seed").getAsLong(),
              tj.get("batch_size").getAsInt(),
              History.fromJson(tj.getAsJsonArray("history")));
      JsonObject extra = tj.has(EXTRA) ? tj.getAsJsonObject(EXTRA) : new JsonObject();
      return new Checkpoint(model, opt, s, extra);
    } catch (RuntimeException e) {
      throw new IOException(where + ": invalid checkpoint metadata (" + e.getMessage() + ")", e);
    }
  }

  private static JsonObject stateJson(TrainingState s) {
    JsonObject o = new JsonObject();
    o.addProperty("format", "qat4j.checkpoint");
    o.addProperty("epoch", s.epoch());
    o.addProperty("global_step", s.globalStep());
    o.addProperty("seed", s.seed());
    o.addProperty("batch_size", s.batchSize());
    o.add("history", s.history().toJson());
    // informational: exact resume needs the same thread count and GEMM
    o.addProperty("threads", org.qat4j.ir.internal.Parallel.threads());
    o.addProperty("gemm", org.qat4j.core.gemm.Gemm.get().name());
    return o;
  }
}
