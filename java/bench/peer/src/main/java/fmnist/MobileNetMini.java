package fmnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * qat4j's zoo MobileNetMini (org.qat4j.core.zoo.MobileNetMini) in DJL, NCHW, for the training-speed
 * comparison: same layers, channels, strides and parameter count (22 k); every convolution is
 * bias-free and followed by BN and ReLU6, except the linear projection.
 *
 * <pre>
 * stem     3x3/2 conv 16, BN, ReLU6                                   16x14x14
 * sep      3x3 depthwise, BN, ReLU6; 1x1 conv 32, BN, ReLU6           32x14x14
 * down     3x3/2 depthwise, BN, ReLU6                                 32x7x7
 * ir       1x1 expand 96, BN, ReLU6; 3x3 depthwise, BN, ReLU6;
 *          linear 1x1 project 32, BN; add the block input             32x7x7
 * mix      [1x1 conv 32, BN, ReLU6] | [3x3 depthwise, BN, ReLU6; 1x1 conv 32, BN, ReLU6] concat  64x7x7
 * head     1x1 conv 128, BN, ReLU6; global average pooling; Dense 10
 * </pre>
 *
 * Padding: qat4j uses TF "SAME" (for the stride-2 3x3 layers on even sizes: 0 before, 1 after);
 * PyTorch pads symmetrically (1 and 1), which gives the same output sizes and the same work.
 */
final class MobileNetMini {
    private MobileNetMini() {}

    static SequentialBlock create() {
        SequentialBlock net = new SequentialBlock();
        net.add(conv(16, 3, 2)).add(dw(16, 1)).add(conv(32, 1, 1)).add(dw(32, 2));
        SequentialBlock ir =
                new SequentialBlock()
                        .add(conv(96, 1, 1))
                        .add(dw(96, 1))
                        .add(convNoAct(32))
                        .add(BatchNorm.builder().build());
        net.add(new ParallelBlock(MobileNetMini::sum, List.of(ir, Blocks.identityBlock())));
        SequentialBlock b = new SequentialBlock().add(dw(32, 1)).add(conv(32, 1, 1));
        net.add(new ParallelBlock(MobileNetMini::concat, List.of(conv(32, 1, 1), b)));
        net.add(conv(128, 1, 1))
                .add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(10).build());
        return net;
    }

    /** k x k conv (stride s, padding k/2, no bias), BN, ReLU6. */
    private static Block conv(int filters, int k, int s) {
        return new SequentialBlock()
                .add(
                        Conv2d.builder()
                                .setKernelShape(new Shape(k, k))
                                .optStride(new Shape(s, s))
                                .optPadding(new Shape(k / 2, k / 2))
                                .setFilters(filters)
                                .optBias(false)
                                .build())
                .add(BatchNorm.builder().build())
                .add(Activation.relu6Block());
    }

    /** 1x1 conv without bias or activation (the linear projection; BN follows). */
    private static Block convNoAct(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    /** 3x3 depthwise conv over {@code channels} (stride s, padding 1, no bias), BN, ReLU6. */
    private static Block dw(int channels, int s) {
        return new SequentialBlock()
                .add(
                        Conv2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .optStride(new Shape(s, s))
                                .optPadding(new Shape(1, 1))
                                .setFilters(channels)
                                .optGroups(channels)
                                .optBias(false)
                                .build())
                .add(BatchNorm.builder().build())
                .add(Activation.relu6Block());
    }

    private static NDList sum(List<NDList> in) {
        return new NDList(in.get(0).singletonOrThrow().add(in.get(1).singletonOrThrow()));
    }

    private static NDList concat(List<NDList> in) {
        NDArray a = in.get(0).singletonOrThrow();
        NDArray b = in.get(1).singletonOrThrow();
        return new NDList(NDArrays.concat(new NDList(a, b), 1));
    }
}
