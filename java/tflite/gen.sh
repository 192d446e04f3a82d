#!/bin/sh
# Regenerates the flatbuffers Java classes of java/tflite/schema/qat4j_tflite.fbs into
# java/tflite/src/gen/java. Pinned toolchain: Debian's flatc 2.0.8 (flatbuffers-compiler) with
# com.google.flatbuffers:flatbuffers-java 2.0.8 (the generated code checks that exact version).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want="2.0.8"
got=$(flatc --version | awk '{print $3}')
if [ "$got" != "$want" ]; then
  echo "gen.sh: need flatc $want, found $got" >&2
  exit 1
fi
out="$here/src/gen/java"
rm -rf "$out/org/qat4j/tflite/fb"
mkdir -p "$out"
flatc --java -o "$out" "$here/schema/qat4j_tflite.fbs"
echo "gen.sh: wrote $(ls "$out/org/qat4j/tflite/fb" | wc -l) classes to $out/org/qat4j/tflite/fb"
