/**
 * Pure-Java executor of lowered graphs ({@link org.qat4j.ir.sim.Simulator}): the float32 reference
 * and the integer oracle for TFLite's int8 kernels.
 *
 * <p>What it mirrors (quantization.md §6–§8), per op, for the pinned TFLite 2.20 builtin kernels on
 * x86 in {@link org.qat4j.ir.arith.RoundingMode#DOUBLE}:
 *
 * <ul>
 *   <li>CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: int32 accumulation of (w − zp_w)(x − zp_in)
 *       over in-image taps plus bias. Multiplier: int8 convolutions use the per-channel array
 *       s_in·s_w[c]/s_out in double; uint8 convolutions and per-tensor FULLY_CONNECTED (int8 and
 *       uint8) use TFLite's single legacy multiplier, whose product s_in·s_w is rounded to float32
 *       first. Rounding: int8 CONV_2D and FULLY_CONNECTED run through cpu_backend_gemm on ruy,
 *       whose final shift breaks ties upward; uint8 ones go to gemmlowp on x86 and, like
 *       DEPTHWISE_CONV_2D and all other ops, use RoundingDivideByPOT (ties away from zero).
 *       Measured: 100% bit-exact against TFLite 2.20 BUILTIN (x86, JavaCPP tensorflow-lite
 *       2.20.0-1.5.13) per layer and on the outputs of the real uint8 MobileNets V1 0.25 and V2 1.0
 *       and the real int8 TF2 MobileNet V2, micro_speech and hello_world (RealModelParityTest), on
 *       accumulators crafted to separate each choice (LegacyRequantParityTest), on int8 graphs from
 *       Int8Lowering (float, int8 and uint8 I/O) and on single-op int8 graphs of every op below
 *       with random parameters.
 *   <li>ADD (left shift 20), MUL, standalone RELU/RELU6 (requantize then clamp), QUANTIZE
 *       (float→int: float32 quotient, C rounding; int→int: MBQM by s_in/s_out), DEQUANTIZE.
 *   <li>AVERAGE_POOL_2D (raw sum, count-division rounding half away from zero), MAX_POOL_2D, PAD
 *       (zero point), RESHAPE, CONCATENATION (int8 params must be equal, as TFLite's Prepare
 *       enforces; uint8 rescales in float).
 *   <li>MEAN: keep_dims + 4-D + axes {1,2} → TFLite's optimized kernel formula, otherwise the
 *       reference QuantizedMeanOrSum. Read from TFLite source; not yet confirmed bit-exact.
 *   <li>LOGISTIC: float-built LUT (optimized kernel). HARD_SWISH: int16 fixed-point reference
 *       recipe. SOFTMAX: x86 float exp-table kernel; ARM builds use a uint16 LUT (±1 LSB).
 * </ul>
 *
 * Float→int QUANTIZE divides in double (the optimized kernel widens the scale), not float.
 *
 * <p>{@code SINGLE} mirrors builds with TFLITE_SINGLE_ROUNDING. {@code XNNPACK_F32} mirrors the
 * XNNPACK delegate (float32 requantization scales, round-to-nearest-even, Q8 int8 convert, float
 * mean); measured 100% bit-exact against TFLite 2.20's XNNPACK delegate on the same graphs (x86)
 * (MUL follows XNNPACK's float32 requantization and LEAKY_RELU its 8.8 fixed-point kernel where
 * XNNPACK takes them; before session 5 MUL differed by ±1 LSB on ~0.4% of elements).
 *
 * <p>On arm64 ({@link org.qat4j.ir.arith.Platform#ARM64}, chosen from {@code os.arch} or passed to
 * the constructor) TFLite's NEON paths round some requantizations differently; {@code RescalePaths}
 * models which (CONV_2D/FULLY_CONNECTED on gemmlowp or the NEON matrix·vector kernel,
 * DEPTHWISE_CONV_2D in blocks of 8 channels or the 3×3 kernel, int8→int8 QUANTIZE in blocks of 16,
 * DEQUANTIZE as a fused multiply-add in blocks of 8, int8 MEAN in blocks of 16 channels). Measured
 * bit-exact against the arm64 TFLite 2.20 jar under qemu-user on the same single-op graphs (BUILTIN
 * and XNNPACK) and hand-computed ties (scripts/arm64-test.sh), all 18 operator kinds; uint8
 * DEPTHWISE_CONV_2D on arm64 keeps x86's rounding, unmeasured.
 */
package org.qat4j.ir.sim;
