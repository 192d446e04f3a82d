#!/usr/bin/env bash
# Builds the EdgeTPU shim, its libedgetpu test double and the shim's C test per platform, and runs
# the C test (natively, or under qemu-aarch64 for linux-arm64).
#   platforms/build-native.sh [OUT_DIR] [PLATFORM...]     PLATFORM: linux-x86_64 linux-arm64 android-arm64
# Default OUT_DIR build/native, default platforms: all three (android-arm64 skipped without
# ANDROID_NDK_HOME, linux-arm64 skipped with a message when the cross compiler is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/native}"
shift || true
PLATFORMS=("$@")
[ ${#PLATFORMS[@]} -eq 0 ] && PLATFORMS=(linux-x86_64 linux-arm64 android-arm64)
JOBS="${QAT4J_NATIVE_JOBS:-2}"

if ! command -v cmake >/dev/null; then
  echo "[native] cmake not found: sudo apt-get install cmake g++ (or build Java only with -Dqat4j.native.skip=true)" >&2
  exit 1
fi

build() { # platform, extra cmake args...
  local platform="$1"; shift
  local dir="$OUT/$platform"
  cmake -S "$ROOT/cmake" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS" >/dev/null
  echo "[native] $platform built in $dir"
}

run_test() { # platform
  if [ "${QAT4J_NATIVE_SKIP_TESTS:-}" = "true" ]; then echo "[native] $1 shim test skipped (skipTests)"; return; fi
  (cd "$OUT/$1" && ctest --output-on-failure >/dev/null) \
    && echo "[native] $1 shim test passed" \
    || { echo "[native] $1 shim test FAILED" >&2; (cd "$OUT/$1" && ctest --output-on-failure); exit 1; }
}

declare -A DONE=()
for p in "${PLATFORMS[@]}"; do
  [ -n "${DONE[$p]:-}" ] && continue
  DONE[$p]=1
  case "$p" in
    linux-x86_64)
      build "$p"; run_test "$p" ;;
    linux-arm64)
      if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
        echo "[native] linux-arm64 skipped: aarch64-linux-gnu-gcc not installed (apt install g++-aarch64-linux-gnu)"
        continue
      fi
      build "$p" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchains/linux-arm64.cmake"
      if command -v qemu-aarch64 >/dev/null; then run_test "$p"
      else echo "[native] linux-arm64 test skipped: qemu-aarch64 not installed (apt install qemu-user)"; fi ;;
    android-arm64)
      if [ -z "${ANDROID_NDK_HOME:-}" ]; then
        echo "[native] android-arm64 skipped: ANDROID_NDK_HOME is not set (no NDK; Coral has no Android libedgetpu anyway)"
        continue
      fi
      build "$p" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchains/android-arm64.cmake" -DQAT4J_BUILD_TESTS=OFF ;;
    *) echo "unknown platform $p (linux-x86_64, linux-arm64, android-arm64)" >&2; exit 2 ;;
  esac
done
