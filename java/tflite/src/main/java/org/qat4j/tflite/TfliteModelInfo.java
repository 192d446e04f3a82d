package org.qat4j.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.LoweredGraph;

/**
 * Immutable, validated description of a .tflite model (from {@link TfliteReader}): schema version,
 * description, file size, subgraphs, buffers and metadata. Holds a private copy of the file so
 * constant data and metadata can be read back; all getters return copies or unmodifiable views.
 */
public final class TfliteModelInfo {
  private final int version;
  private final String description;
  private final long fileSize;
  private final List<SubgraphInfo> subgraphs;
  private final List<BufferInfo> buffers;
  private final List<MetadataInfo> metadata;
  private final byte[] bytes;

  TfliteModelInfo(
      int version,
      String description,
      long fileSize,
      List<SubgraphInfo> subgraphs,
      List<BufferInfo> buffers,
      List<MetadataInfo> metadata,
      byte[] bytes) {
    this.version = version;
    this.description = description;
    this.fileSize = fileSize;
    this.subgraphs = List.copyOf(subgraphs);
    this.buffers = List.copyOf(buffers);
    this.metadata = List.copyOf(metadata);
    this.bytes = bytes;
  }

  public int version() {
    return version;
  }

  public String description() {
    return description;
  }

  public long fileSize() {
    return fileSize;
  }

  public List<SubgraphInfo> subgraphs() {
    return subgraphs;
  }

  public SubgraphInfo subgraph(int i) {
    return subgraphs.get(i);
  }

  public List<BufferInfo> buffers() {
    return buffers;
  }

  public List<MetadataInfo> metadata() {
    return metadata;
  }

  /** The bytes of the named metadata entry (first match), or null when absent. */
  public byte[] metadataBytes(String name) {
    for (MetadataInfo m : metadata) if (m.name().equals(name)) return bufferData(m.buffer());
    return null;
  }

  /** The "min_runtime_version" metadata without its zero padding, or null when absent. */
  public String minRuntimeVersion() {
    byte[] b = metadataBytes("min_runtime_version");
    if (b == null) return null;
    int n = 0;
    while (n < b.length && b[n] != 0) n++;
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  /** A copy of buffer {@code i}'s data (empty for buffers without data). */
  public byte[] bufferData(int i) {
    BufferInfo b = buffers.get(i);
    byte[] out = new byte[(int) b.size()];
    if (b.size() > 0) System.arraycopy(bytes, (int) b.fileOffset(), out, 0, out.length);
    return out;
  }

  /** A read-only little-endian view of a tensor's constant data (empty for activations). */
  public ByteBuffer tensorData(int subgraph, int tensor) {
    BufferInfo b = buffers.get(subgraphs.get(subgraph).tensor(tensor).buffer());
    if (b.size() == 0)
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    return ByteBuffer.wrap(bytes, (int) b.fileOffset(), (int) b.size())
        .slice()
        .asReadOnlyBuffer()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Operator counts of all subgraphs by name, in first-seen order. */
  public Map<String, Integer> operatorCounts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (SubgraphInfo s : subgraphs)
      for (OperatorInfo o : s.operators()) m.merge(o.opName(), 1, Integer::sum);
    return m;
  }

  /**
   * Subgraph 0 as a lowered graph (constant data decoded, metadata other than "min_runtime_version"
   * kept): the float import path. Operators outside {@code OpKind} or tensor types outside {@code
   * DType} raise one {@link ModelFormatException} listing them all.
   */
  public LoweredGraph toLoweredGraph() {
    return LoweredImport.convert(this);
  }

  @Override
  public String toString() {
    return "TfliteModelInfo{version="
        + version
        + ", subgraphs="
        + subgraphs.size()
        + ", buffers="
        + buffers.size()
        + ", ops="
        + operatorCounts()
        + ", fileSize="
        + fileSize
        + "}";
  }
}
