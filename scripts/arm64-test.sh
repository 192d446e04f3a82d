#!/usr/bin/env bash
# linux-arm64 tests of the Java path under qemu-user (issue 17): Debian's arm64 JVM (multiarch package
# openjdk-17-jre-headless:arm64) runs a subset of the runtime module's native tests and a CLI smoke test
# against the bytedeco linux-arm64 jars and our cross-built JNI library (g++-aarch64-linux-gnu).
#   scripts/arm64-test.sh [MAVEN ARGS...]    (./test runs it after mvn verify; QAT4J_ARM64=0 skips it)
# Builds into target-arm64/ (-Dqat4j.target.suffix=-arm64), so the x86-64 build is untouched.
# Exit 0 with a "skipping" line when qemu-aarch64, the cross compiler or the arm64 JVM is missing.
#   QAT4J_ARM64_TESTS   surefire -Dtest pattern (default: the subset below)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup-lib.sh
. scripts/setup-lib.sh
JVM="${QAT4J_ARM64_JAVA:-/usr/lib/jvm/java-17-openjdk-arm64/bin/java}"
# Runtime tests that exercise every native layer once: TFLite load + error formatter, XNNPACK options helper,
# interpreter I/O, real models (XNNPACK coverage, BUILTIN vs XNNPACK), EdgeTPU through the test double, Java custom
# operators (CustomOpTest: TFLite's opaque structs read directly); and the
# simulator's arm64 arithmetic (ir.arith.Platform.ARM64, picked from os.arch) bit-exact against BUILTIN and XNNPACK:
# OpParityTest on QAT4J_ARM64_PARITY_GRAPHS random graphs per operator kind (default 20; the x86 run uses 50),
# Int8WriterParityTest's hand-computed ties and RealModelParityTest's five real models (docs/RUNTIME.md "linux-arm64").
SUBSET="${QAT4J_ARM64_TESTS:-XnnpackTest,TfliteLogTest,InterpreterTest,RealModelTest,EdgeTpuFakeLibraryTest,EdgeTpuTfliteDelegateTest,OpParityTest,Int8WriterParityTest,RealModelParityTest,CustomOpTest}"
SUFFIX=-arm64
TIMES=()

for t in qemu-aarch64 aarch64-linux-gnu-g++ cmake; do
  q4j_have "$t" || { q4j_log "arm64: skipping: no $t (sudo apt-get install qemu-user g++-aarch64-linux-gnu cmake)"; exit 0; }
done
[ -x "$JVM" ] || { q4j_log "arm64: skipping: no arm64 JVM at $JVM (sudo dpkg --add-architecture arm64 &&" \
  "sudo apt-get update && sudo apt-get install openjdk-17-jre-headless:arm64)"; exit 0; }
scripts/arm64-jvm/bin/java -version >/dev/null 2>&1 || { q4j_log "arm64: skipping: $JVM does not start under qemu-aarch64"; exit 0; }
DATA="$(q4j_data_found)" || { q4j_log "arm64: skipping: no Fashion-MNIST"; exit 0; }

MVN=(mvn -B -q "$@" -Djavacpp.platform=linux-arm64 -Dqat4j.target.suffix="$SUFFIX")
t0="$(q4j_now_ms)"
q4j_log "arm64: runtime tests under the arm64 JVM ($SUBSET) ..."
"${MVN[@]}" -pl java/runtime -am test -Djvm="$ROOT/scripts/arm64-jvm/bin/java" -Dtest="$SUBSET" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dqat4j.fashionMnist="$DATA" \
  -Dqat4j.parity.graphs="${QAT4J_ARM64_PARITY_GRAPHS:-20}"
TIMES+=("runtime tests $(q4j_secs_since "$t0")")

t0="$(q4j_now_ms)"
"${MVN[@]}" -pl java/cli -am package -DskipTests
TIMES+=("cli build $(q4j_secs_since "$t0")")
bash scripts/arm64-smoke.sh "$ROOT/java/cli/target$SUFFIX" "$DATA"
q4j_log "arm64: times: ${TIMES[*]} (smoke test above), all passed"
