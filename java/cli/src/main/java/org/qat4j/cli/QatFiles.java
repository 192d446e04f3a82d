package org.qat4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.io.ModelIO;
import org.qat4j.quant.Default8Bit;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;

/**
 * The CLI's saved QAT model: a zip with {@code float.model} (the float model it was derived from,
 * {@link ModelIO} format), {@code qat.json} (format, scheme) and {@code qat-params.bin} (every
 * parameter of the QAT model — latent weights, BN statistics, quantizer ranges — in graph order).
 * Loading re-applies {@link Quantize#model} to the float model (deterministic) and restores the
 * parameters, checking names and sizes.
 */
final class QatFiles {
  static final String FORMAT = "qat4j.qat";

  private QatFiles() {}

  /** True when {@code file} is a zip holding a {@code qat.json} entry. */
  static boolean isQat(Path file) {
    try (InputStream in = Files.newInputStream(file);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; )
        if (e.getName().equals("qat.json")) return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /** True when the model argument {@code ref} (not zoo:NAME) names an existing QAT file. */
  static boolean isQatRef(String ref) {
    if (ref.startsWith("zoo:")) return false;
    Path p = Path.of(ref);
    return Files.isRegularFile(p) && isQat(p);
  }

  static void save(QatModel qat, Model floatModel, Path out) throws IOException {
    Path tmpFloat = Files.createTempFile("qat4j-float", ".model");
    try {
      ModelIO.save(floatModel, tmpFloat);
      byte[] floatBytes = Files.readAllBytes(tmpFloat);
      byte[] params = params(qat.model());
      Outputs.write(
          out,
          os -> {
            ZipOutputStream zip = new ZipOutputStream(os);
            JsonObject meta =
                Json.object("format", FORMAT, "version", 1, "scheme", qat.scheme().name());
            put(zip, "qat.json", Json.GSON.toJson(meta).getBytes(StandardCharsets.UTF_8));
            put(zip, "float.model", floatBytes);
            put(zip, "qat-params.bin", params);
            zip.finish();
          });
    } finally {
      Files.deleteIfExists(tmpFloat);
    }
  }

  /** The QAT model and the float model it came from. */
  record Loaded(QatModel qat, Model floatModel) {}

  static Loaded load(Path file) throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    try (InputStream in = Files.newInputStream(file);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; )
        entries.put(e.getName(), zip.readAllBytes());
    }
    for (String need : List.of("qat.json", "float.model", "qat-params.bin")) {
      if (!entries.containsKey(need)) throw new IOException(file + ": QAT model lacks " + need);
    }
    JsonObject meta =
        JsonParser.parseString(new String(entries.get("qat.json"), StandardCharsets.UTF_8))
            .getAsJsonObject();
    if (!FORMAT.equals(meta.get("format").getAsString()))
      throw new IOException(file + ": not a " + FORMAT + " file");
    String scheme = meta.get("scheme").getAsString();
    if (!scheme.equals(Default8Bit.INSTANCE.name()))
      throw new IOException(file + ": scheme " + scheme + " is not supported by the CLI");
    Path tmp = Files.createTempFile("qat4j-float", ".model");
    Model floatModel;
    try {
      Files.write(tmp, entries.get("float.model"));
      floatModel = ModelIO.load(tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
    QatModel qat = Quantize.model(floatModel);
    restore(qat.model(), entries.get("qat-params.bin"), file);
    return new Loaded(qat, floatModel);
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  /**
   * Every parameter in node order, then layer order (keys may repeat across quantizers, order does
   * not).
   */
  private static List<Map.Entry<String, Param>> ordered(Model m) {
    List<Map.Entry<String, Param>> l = new ArrayList<>();
    for (Node n : m.nodes())
      for (Param p : n.layer().params()) l.add(Map.entry(n.name() + "/" + p.name(), p));
    return l;
  }

  private static byte[] params(Model m) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      List<Map.Entry<String, Param>> ps = ordered(m);
      out.writeInt(ps.size());
      for (Map.Entry<String, Param> e : ps) {
        float[] v = e.getValue().value().toArray();
        out.writeUTF(e.getKey());
        out.writeInt(v.length);
        for (float f : v) out.writeFloat(f);
      }
    }
    return bos.toByteArray();
  }

  private static void restore(Model m, byte[] data, Path file) throws IOException {
    List<Map.Entry<String, Param>> ps = ordered(m);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int n = in.readInt();
      if (n != ps.size())
        throw new IOException(
            file + ": holds " + n + " QAT parameters, the rebuilt QAT model has " + ps.size());
      for (Map.Entry<String, Param> e : ps) {
        String key = in.readUTF();
        int len = in.readInt();
        var t = e.getValue().value();
        if (!key.equals(e.getKey()) || len != t.size()) {
          throw new IOException(
              file
                  + ": parameter "
                  + key
                  + " ("
                  + len
                  + " values) does not match "
                  + e.getKey()
                  + " ("
                  + t.size()
                  + ")");
        }
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = in.readFloat();
        t.buffer().put(0, v);
      }
    }
  }
}
