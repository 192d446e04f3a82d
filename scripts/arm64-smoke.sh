#!/usr/bin/env bash
# CLI smoke test under the arm64 JVM (qemu-user), called by scripts/arm64-test.sh after the linux-arm64 build:
#   scripts/arm64-smoke.sh CLI_TARGET_DIR FASHION_MNIST_DIR
# export (int8, calibrated on Fashion-MNIST) -> inspect -> bench BUILTIN and XNNPACK (coverage: ops delegated) ->
# verify (simulator vs TFLite BUILTIN and XNNPACK, --limit 200) -> edgetpu check -> edgetpu devices through the
# libedgetpu TEST DOUBLE (arm64 libfake_edgetpu.so) -> a QAT fine-tune of 64 images. Each JSON result is checked
# with grep; exit 1 on the first miss. The JVM runs as ./qat4j does, with the Vector API module, and with SVE off:
# qemu-user offers 512-bit SVE, while NEON-only boards (the Coral Dev Board's Cortex-A53) run 128-bit vectors.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$1" DATA="$2"
JAR="$(ls "$TARGET"/qat4j-cli-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
FAKE="$ROOT/java/runtime/target-arm64/native/linux-arm64/libfake_edgetpu.so"
cli() { # NAME ARGS...: runs the CLI with --json on the arm64 JVM, JSON into $T/NAME.json, time on stderr
  local name="$1" t0; shift
  t0="$(date +%s%3N)"
  "$ROOT/scripts/arm64-jvm/bin/java" --add-modules jdk.incubator.vector -XX:UseSVE=0 \
    --enable-native-access=ALL-UNNAMED -Xmx1g -Dqat4j.fashionMnist="$DATA" \
    -cp "$JAR:$TARGET/lib/*" org.qat4j.cli.Main "$@" --json > "$T/$name.json" 2> "$T/$name.err" \
    || { echo "arm64 smoke: $name failed:" >&2; cat "$T/$name.err" "$T/$name.json" >&2; exit 1; }
  echo "arm64 smoke: $name ok ($(( ($(date +%s%3N) - t0) / 1000 )) s)" >&2
}
expect() { # NAME PATTERN: the JSON of NAME contains PATTERN
  grep -q -i -E "$2" "$T/$1.json" || { echo "arm64 smoke: $1: no match for $2 in:" >&2; cat "$T/$1.json" >&2; exit 1; }
}
cli export export --in zoo:reference-cnn --format int8 --out "$T/m.tflite"
cli inspect inspect "$T/m.tflite";                         expect inspect '"op": ?"CONV_2D"'
cli bench-builtin bench --model "$T/m.tflite" --backend builtin --runs 5 --min-secs 0;  expect bench-builtin '"backend": ?"BUILTIN"'
cli bench-xnnpack bench --model "$T/m.tflite" --backend xnnpack --runs 5 --min-secs 0;  expect bench-xnnpack '"delegated_ops": ?[1-9]'
cli verify verify --model zoo:reference-cnn --tflite "$T/m.tflite" --data "$DATA" --limit 200
expect verify '"bit_exact_fraction_builtin"'
cli edgetpu-check edgetpu check "$T/m.tflite";                expect edgetpu-check '"edgetpu_ops"'
QAT4J_EDGETPU_LIB="$FAKE" FAKE_EDGETPU_DEVICES=usb,pci cli edgetpu-devices edgetpu devices
expect edgetpu-devices '"pci"'
cli quantize quantize --in zoo:reference-cnn --epochs 1 --limit 64 --test-limit 64 --out "$T/q.q4j"
expect quantize '"accuracy"'
for f in bench-xnnpack verify; do echo "arm64 smoke: $f: $(tr -d '\n ' < "$T/$f.json" | grep -o -E '"(delegated_ops|cpu_ops|coverage|bit_exact_fraction_[a-z0-9_]*|max_lsb_[a-z]*|top1_agreement)":("[^"]*"|[0-9.]*)' | tr '\n' ' ')" >&2; done
