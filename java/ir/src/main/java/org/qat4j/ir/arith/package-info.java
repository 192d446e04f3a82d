/**
 * TFLite's fixed-point requantization arithmetic in Java (C rounding, quantized multipliers,
 * gemmlowp primitives, activation ranges), shared by the simulator, lowering and tests.
 */
package org.qat4j.ir.arith;
