package org.qat4j.tflite;

/**
 * One entry of the model's buffer table: data size in bytes and absolute file offset of the data
 * (−1 when empty). {@code external} is true for data stored after the flatbuffer
 * (Buffer.offset/size) rather than inside it.
 */
public record BufferInfo(int index, long size, long fileOffset, boolean external) {}
