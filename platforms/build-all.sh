#!/usr/bin/env bash
# Builds the EdgeTPU native layer for every platform this host can reach (C tests natively and under
# qemu-aarch64), then one runtime jar carrying the JNI library for linux-x86_64 and linux-arm64.
#   platforms/build-all.sh        (needs the linux-arm64 TFLite jars once: run without -o the first time)
# Output: build/native/<platform>/ and java/runtime/target-pkg/qat4j-runtime-*.jar (both platforms).
# Java tests are not run here: use mvn verify.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MVN="mvn -B -q ${QAT4J_MVN_ARGS:-}"
"$ROOT/platforms/build-native.sh" "$ROOT/build/native"
cd "$ROOT"
$MVN -pl java/runtime -am package -DskipTests -Djavacpp.platform=linux-x86_64 -Dqat4j.target.suffix=-pkg
JAR="$(ls java/runtime/target-pkg/qat4j-runtime-*.jar | grep -v -e sources -e tests | head -n 1)"
if command -v aarch64-linux-gnu-g++ >/dev/null; then
  $MVN -pl java/runtime -am package -DskipTests -Djavacpp.platform=linux-arm64 -Dqat4j.target.suffix=-pkg-arm64
  (cd java/runtime/target-pkg-arm64/classes && jar uf "$ROOT/$JAR" org/qat4j/runtime/edgetpu/linux-arm64)
else
  echo "[platforms] linux-arm64 skipped: aarch64-linux-gnu-g++ not installed"
fi
echo "[platforms] runtime jar: $JAR"
unzip -l "$JAR" | grep -E 'libjni.*\.so' || true
