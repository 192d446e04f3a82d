#!/usr/bin/env bash
# Builds and tests the EdgeTPU native layer for every platform this host can reach, then the
# runtime jar for linux-x86_64 (with tests) and linux-arm64 (cross-compiled JNI, no tests).
#   platforms/build-all.sh            (online once for the linux-arm64 TFLite jars)
# Output: build/native/<platform>/ (shim, test double, C test) and java/runtime/target[-arm64]/*.jar
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/platforms/build-native.sh" "$ROOT/build/native"
cd "$ROOT"
mvn -B -q -pl java/runtime -am verify -Djavacpp.platform=linux-x86_64
if command -v aarch64-linux-gnu-g++ >/dev/null; then
  mvn -B -q -pl java/runtime -am package -DskipTests -Djavacpp.platform=linux-arm64 -Dqat4j.target.suffix=-arm64
  echo "[platforms] linux-arm64 runtime jar: $(ls java/runtime/target-arm64/qat4j-runtime-*.jar)"
else
  echo "[platforms] linux-arm64 jar skipped: aarch64-linux-gnu-g++ not installed"
fi
