/**
 * EdgeTPU pre-flight: predicts from a .tflite file which operators edgetpu_compiler 16 will map to
 * the Edge TPU (op table, 8-bit types, constant parameters, rank rule, versions, limits, the single
 * cut) and describes already compiled models. Entry point {@link
 * org.qat4j.tflite.edgetpu.EdgeTpuPreflight}.
 */
package org.qat4j.tflite.edgetpu;
