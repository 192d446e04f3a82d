package org.qat4j.quant.layers;

import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.core.TrainingFusion;

/**
 * The training fusions of a {@link ConvBatchNorm} and the max pool after it, decided per pass:
 * {@link ConvPoolQat} (a first small-window conv, whose output is never stored) when it applies,
 * else {@link BlockPoolQat} (the block's output pass fused with the pool), else none.
 */
final class QatPoolFusion implements TrainingFusion {
  private final ConvPoolQat small;
  private final BlockPoolQat general;
  private TrainingFusion chosen;

  private QatPoolFusion(ConvPoolQat small, BlockPoolQat general) {
    this.small = small;
    this.general = general;
  }

  /** The fusions of block → next, or null when neither can apply. */
  static TrainingFusion of(ConvBatchNorm block, Layer next) {
    ConvPoolQat s = ConvPoolQat.match(block, next);
    BlockPoolQat g = BlockPoolQat.match(block, next);
    return s == null && g == null ? null : new QatPoolFusion(s, g);
  }

  @Override
  public int span() {
    return 2;
  }

  @Override
  public boolean use(boolean fused, boolean inputGradient, ExecContext ctx) {
    chosen = null;
    if (small != null && small.use(fused, inputGradient, ctx)) chosen = small;
    else if (general != null && general.use(fused, inputGradient, ctx)) chosen = general;
    return chosen != null;
  }

  @Override
  public boolean active() {
    return chosen != null && chosen.active();
  }

  @Override
  public Tensor forward(Tensor in, ExecContext ctx) {
    return chosen.forward(in, ctx);
  }

  @Override
  public Tensor backward(Tensor gy, ExecContext ctx, boolean needInput) {
    return chosen.backward(gy, ctx, needInput);
  }
}
