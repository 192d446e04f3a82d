package org.qat4j.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.qat4j.core.train.Optimizer;

/**
 * Training checkpoints in a folder every worker can read (a shared mount on a cluster): one
 * sub-folder {@code step-NNNNNNNNNN} per checkpoint holding the QAT model ({@code model.qat}) and
 * the optimizer state with the step count ({@code state.bin}). A checkpoint appears by an atomic
 * rename of a complete temporary folder, so readers see it whole or not at all; the two newest are
 * kept.
 */
final class SharedCheckpoints {
  private static final String PREFIX = "step-";
  private final Path dir;

  SharedCheckpoints(Path dir) {
    this.dir = dir;
  }

  /** A stored checkpoint: global step, the optimizer's slots and update count, the model file. */
  record Saved(
      long step, String history, Map<String, float[]> slots, long iterations, Path model) {}

  /** Writes the checkpoint of {@code step} (model bytes from {@code QatModel.save}). */
  void save(long step, byte[] model, Optimizer opt, String history) throws IOException {
    Files.createDirectories(dir);
    Path tmp = Files.createTempDirectory(dir, ".tmp-" + PREFIX);
    Files.write(tmp.resolve("model.qat"), model);
    Files.write(tmp.resolve("state.bin"), state(step, opt, history));
    Path target = dir.resolve(name(step));
    if (Files.exists(target)) deleteTree(target); // the same step again (an epoch's last step)
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    List<Path> all = steps();
    for (int i = 0; i + 2 < all.size(); i++) deleteTree(all.get(i));
  }

  /** The newest complete checkpoint, or null. */
  Saved latest() throws IOException {
    List<Path> all = steps();
    if (all.isEmpty()) return null;
    Path p = all.get(all.size() - 1);
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(p.resolve("state.bin"))))) {
      long step = in.readLong();
      long iterations = in.readLong();
      String history = in.readUTF();
      int n = in.readInt();
      Map<String, float[]> slots = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String k = in.readUTF();
        float[] v = new float[in.readInt()];
        for (int j = 0; j < v.length; j++) v[j] = in.readFloat();
        slots.put(k, v);
      }
      return new Saved(step, history, slots, iterations, p.resolve("model.qat"));
    }
  }

  private static byte[] state(long step, Optimizer opt, String history) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(step);
      out.writeLong(opt.iterations());
      out.writeUTF(history);
      out.writeInt(opt.slots().size());
      for (Map.Entry<String, float[]> e : opt.slots().entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().length);
        for (float v : e.getValue()) out.writeFloat(v);
      }
    }
    return bytes.toByteArray();
  }

  private List<Path> steps() throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> l = new ArrayList<>();
      s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).sorted().forEach(l::add);
      return l;
    }
  }

  private static String name(long step) {
    return PREFIX + String.format("%010d", step);
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList())
        Files.deleteIfExists(f);
    }
  }
}
