package org.qat4j.tflite;

import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.tflite.fb.Model;

/**
 * Test helper for models with operators the IR cannot hold yet: lowers subgraph 0 without the given
 * builtins (the other operators keep their order; tensors are all kept), and reads boolean option
 * fields of a skipped operator.
 */
public final class PartialImport {
  private PartialImport() {}

  /** The model's graph without the operators whose builtin code is in {@code skip}. */
  public static LoweredGraph without(byte[] bytes, Set<Integer> skip) {
    TfliteModelInfo m = TfliteReader.read(bytes);
    SubgraphInfo s = m.subgraph(0);
    List<OperatorInfo> kept = new ArrayList<>();
    for (OperatorInfo op : s.operators())
      if (op.custom() || !skip.contains(op.builtinCode())) kept.add(op);
    SubgraphInfo f =
        new SubgraphInfo(s.index(), s.name(), s.tensors(), kept, s.inputs(), s.outputs());
    return new TfliteModelInfo(
            m.version(),
            m.description(),
            m.fileSize(),
            List.of(f),
            m.buffers(),
            m.metadata(),
            bytes)
        .toLoweredGraph();
  }

  /**
   * Boolean field {@code id} of operator {@code op}'s builtin options table in subgraph 0 (false
   * when absent).
   */
  public static boolean optionFlag(byte[] bytes, int op, int id) {
    Model model = Model.getRootAsModel(ByteBuffer.wrap(bytes));
    Flags t = new Flags();
    if (model.subgraphs(0).operators(op).builtinOptions(t) == null) return false;
    return t.flag(id);
  }

  private static final class Flags extends Table {
    boolean flag(int id) {
      int o = __offset(4 + 2 * id);
      return o != 0 && bb.get(o + bb_pos) != 0;
    }
  }
}
