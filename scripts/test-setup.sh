#!/usr/bin/env bash
# Tests the set-up decisions of ./qat4j and ./test (scripts/setup-lib.sh) with tools hidden from PATH:
# a PATH of chosen real tools plus stand-ins (cmake, g++, cc, id, sudo, apt-get, curl) that only log
# their calls, and data/cache folders pointed into a temporary directory. Exit 1 on the first wrong decision.
#   scripts/test-setup.sh        (run by ./test before Maven; needs no network, takes a few seconds)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
T="$(mktemp -d)"
trap 'rm -rf "$T" "$ROOT/java/cli/target-plan-test-$$"' EXIT
PASS=0

fail() { echo "test-setup: FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; PASS=$((PASS + 1)); }
expect_has() { [[ "$2" == *"$3"* ]] || fail "$1: expected output containing '$3', got: $2"; PASS=$((PASS + 1)); }
expect_not() { [[ "$2" != *"$3"* ]] || fail "$1: expected no '$3', got: $2"; PASS=$((PASS + 1)); }

# Real tools every case may use; nothing else from the host PATH is visible.
BASE="$T/base"
mkdir -p "$BASE"
for t in bash env dirname basename cat ls grep head find date mktemp mkdir rm mv cp touch cut sha256sum gzip tar sed tr wc sleep; do
  p="$(command -v "$t")" || fail "host lacks $t"
  ln -s "$p" "$BASE/$t"
done

# A stand-in tool: logs "name args" to $T/calls, then runs the given shell body.
fake() { # dir name body
  mkdir -p "$1"
  printf '#!%s\necho "%s $*" >> "%s/calls"\n%s\n' "$BASE/bash" "$2" "$T" "$3" > "$1/$2"
  chmod +x "$1/$2"
}
# Runs a setup-lib function (or any shell snippet) with PATH = the given bin dirs + BASE.
lib() { # "bin dirs" snippet
  local path="$BASE"
  for d in $1; do path="$d:$path"; done
  PATH="$path" QAT4J_SYSTEM_DATA="$SYS" QAT4J_CACHE_DIR="$CACHE" QAT4J_DATA="${QAT4J_DATA_CASE:-}" \
    "$BASE/bash" -c ". '$ROOT/scripts/setup-lib.sh'; $2" 2>&1
}
reset() {
  rm -rf "$T/sys" "$T/cache" "$T/calls"
  SYS="$T/sys/fashion-mnist"; CACHE="$T/cache"
  mkdir -p "$SYS"
}
four_files() { mkdir -p "$1"; for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do : > "$1/$f.gz"; done; }

TOOLS="$T/tools"; fake "$TOOLS" cmake ''; fake "$TOOLS" g++ ''; fake "$TOOLS" cc ''
ROOTID="$T/rootid"; fake "$ROOTID" id 'echo 0'
USERID="$T/userid"; fake "$USERID" id 'echo 1000'
SUDO_OK="$T/sudook"; fake "$SUDO_OK" sudo '[ "$1" = -n ] && shift; "$@"'
SUDO_PW="$T/sudopw"; fake "$SUDO_PW" sudo 'echo "sudo: a password is required" >&2; exit 1'
APT="$T/apt"; fake "$APT" apt-get 'exit 0'
CURL="$T/curl"; fake "$CURL" curl 'exit 7'

# --- native toolchain ---
reset
expect_eq "no toolchain: missing tools" "$(lib "" q4j_native_missing)" "cmake g++ cc"
expect_eq "full toolchain: nothing missing" "$(lib "$TOOLS" q4j_native_missing)" ""
rm "$TOOLS/g++"
expect_eq "cmake without g++" "$(lib "$TOOLS" q4j_native_missing)" "g++"
fake "$TOOLS" g++ ''
mkdir -p "$T/noexec"; : > "$T/noexec/cmake"; fake "$T/gxx" g++ ''; fake "$T/gxx" cc ''
expect_eq "non-executable cmake counts as missing" "$(lib "$T/noexec $T/gxx" q4j_native_missing)" "cmake"
w="$(lib "" 'q4j_native_warning "cmake g++"')"
expect_has "warning names the loss" "$w" "no EdgeTPU binding"
expect_has "warning names the printf loss" "$w" "bare printf formats"
expect_has "warning says how to get it back" "$w" "sudo apt-get install cmake g++"
expect_eq "warning is one line" "$(echo "$w" | wc -l | tr -d ' ')" "1"

# --- where the data comes from ---
reset; four_files "$SYS"
expect_eq "system folder complete" "$(lib "" q4j_data_plan)" "found $SYS"
reset; mkdir -p "$T/given"
expect_eq "QAT4J_DATA wins, not installed" "$(QAT4J_DATA_CASE="$T/given" lib "$ROOTID $APT" q4j_data_plan)" "found $T/given"
reset; four_files "$CACHE/fashion-mnist"
expect_eq "cache without .verified is not trusted" "$(lib "$USERID" q4j_data_plan)" "stop"
touch "$CACHE/fashion-mnist/.verified"
expect_eq "verified cache" "$(lib "$USERID" q4j_data_plan)" "found $CACHE/fashion-mnist"
reset; rm -f "$SYS"/train-labels-idx1-ubyte.gz
expect_eq "root with apt-get installs, then downloads" "$(lib "$ROOTID $APT $CURL" q4j_data_plan)" "install-root download stop"
expect_eq "passwordless sudo installs" "$(lib "$USERID $SUDO_OK $APT $CURL" q4j_data_plan)" "install-sudo download stop"
expect_eq "sudo asking a password: download" "$(lib "$USERID $SUDO_PW $APT $CURL" q4j_data_plan)" "download stop"
expect_eq "no sudo at all: download" "$(lib "$USERID $APT $CURL" q4j_data_plan)" "download stop"
expect_eq "root without apt-get: download" "$(lib "$ROOTID $CURL" q4j_data_plan)" "download stop"
expect_eq "nothing allowed: stop" "$(lib "$USERID $APT" q4j_data_plan)" "stop"

# --- the actions ---
# install as root and through sudo -n: apt-get is called and the folder it fills is used
reset
fake "$T/aptfill" apt-get "[ \"\$*\" = '-y -qq -o DPkg::Lock::Timeout=300 install dataset-fashion-mnist' ] || exit 100
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do : > '$SYS'/\$f.gz; done"
out="$(lib "$ROOTID $T/aptfill" 'd="$(q4j_ensure_fm)" && echo "DIR=$d"')"
expect_has "root install uses the system folder" "$out" "DIR=$SYS"
expect_has "root install says what it does" "$out" "installing Fashion-MNIST: apt-get install dataset-fashion-mnist"
expect_has "apt-get called" "$(cat "$T/calls")" "apt-get -y -qq -o DPkg::Lock::Timeout=300 install dataset-fashion-mnist"
reset
out="$(lib "$USERID $SUDO_OK $T/aptfill" 'd="$(q4j_ensure_fm)" && echo "DIR=$d"')"
expect_has "sudo install uses the system folder" "$out" "DIR=$SYS"
expect_has "sudo -n used" "$(cat "$T/calls")" "sudo -n apt-get"

# corrupt downloads are refused, nothing lands in the cache, and the exact command is printed
reset
mkdir -p "$T/bad"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do echo "not $f" | gzip > "$T/bad/$f.gz"; done
echo "not a deb" > "$T/bad/x.deb"
# the real curl alone (file:// URLs), never the rest of the host's /usr/bin (sudo, apt-get)
REALCURL="$T/realcurl"; mkdir -p "$REALCURL"; ln -s "$(command -v curl)" "$REALCURL/curl"
out="$(lib "$USERID" "export QAT4J_FM_DEB_URLS='file://$T/bad/x.deb' QAT4J_FM_UPSTREAM_URL='file://$T/bad'
  PATH=\"\$PATH:$REALCURL\"; q4j_ensure_fm; echo rc=\$?")"
expect_has "corrupt .deb refused" "$out" "wrong SHA-256, ignored"
expect_has "corrupt upstream files refused" "$out" "checksum mismatch: train-images-idx3-ubyte"
expect_has "stops with the exact command" "$out" "sudo apt-get install dataset-fashion-mnist"
expect_has "stop is a failure" "$out" "rc=1"
[ ! -e "$CACHE/fashion-mnist/.verified" ] || fail "a corrupt download was marked verified"
expect_eq "cache left without temporary folders" "$(ls -A "$CACHE" 2>/dev/null | wc -l | tr -d ' ')" "0"

# the real files (from the Debian folder or a verified cache) pass the checksums and land in the cache
SRC=""
for d in "${QAT4J_DATA:-}" /usr/share/datasets/fashion-mnist "${XDG_CACHE_HOME:-$HOME/.cache}/qat4j/fashion-mnist"; do
  [ -n "$d" ] && [ -f "$d/train-images-idx3-ubyte.gz" ] && [ -f "$d/t10k-labels-idx1-ubyte.gz" ] && { SRC="$d"; break; }
done
if [ -n "$SRC" ]; then
  reset
  out="$(lib "$USERID" "export QAT4J_FM_DEB_URLS='file://$T/bad/x.deb' QAT4J_FM_UPSTREAM_URL='file://$SRC'
    PATH=\"\$PATH:$REALCURL\"; d=\"\$(q4j_ensure_fm)\" && echo \"DIR=\$d\"")"
  expect_has "real files downloaded into the cache" "$out" "DIR=$CACHE/fashion-mnist"
  expect_eq "then found in the cache" "$(lib "$USERID" q4j_data_plan)" "found $CACHE/fashion-mnist"
else
  echo "test-setup: skipped the good-download case: no Fashion-MNIST copy on this machine to serve as file://"
fi

# --- the launcher itself, decisions only (QAT4J_PLAN_ONLY=1), on a build folder that has no jar ---
reset
launch() { # "bin dirs" args...
  local path="$BASE" bins="$1"; shift
  for d in $bins; do path="$d:$path"; done
  PATH="$path" QAT4J_DATA="" QAT4J_PLAN_ONLY=1 QAT4J_TARGET_SUFFIX="-plan-test-$$" QAT4J_SYSTEM_DATA="$SYS" QAT4J_CACHE_DIR="$CACHE" \
    "$BASE/bash" "$ROOT/qat4j" "$@" 2>&1
}
out="$(launch "$USERID $CURL" demo --quick)"
expect_has "launcher: no toolchain -> native skip" "$out" "build: mvn -pl java/cli -am package -Dqat4j.native.skip=true"
expect_has "launcher: one-line warning" "$out" "warning: cmake g++ cc not found, building without native parts"
expect_has "launcher: demo without data downloads" "$out" "data: download stop"
out="$(launch "$TOOLS $ROOTID $APT $CURL" demo)"
expect_has "launcher: toolchain -> native build" "$out" "build: mvn -pl java/cli -am package"
expect_not "launcher: toolchain -> no skip flag" "$out" "native.skip"
expect_not "launcher: toolchain -> no warning" "$out" "warning"
expect_has "launcher: root -> install first" "$out" "data: install-root download stop"
out="$(launch "$TOOLS $ROOTID $APT $CURL" demo --data "$T/elsewhere")"
expect_not "launcher: --data given -> no install" "$out" "install"
out="$(launch "$TOOLS $ROOTID $APT $CURL" inspect m.tflite)"
expect_not "launcher: inspect never fetches data" "$out" "install"
# a jar built without native parts is rebuilt once the toolchain is there, and only then
J="$ROOT/java/cli/target-plan-test-$$"
mkdir -p "$J/lib" && touch "$J/qat4j-cli-0-test.jar" "$J/qat4j-native-skipped"
out="$(launch "$USERID" inspect m.tflite)"
expect_has "launcher: built without native, still no toolchain -> no rebuild" "$out" "build: none"
out="$(launch "$TOOLS $USERID" inspect m.tflite)"
expect_has "launcher: built without native, toolchain now present -> rebuild" "$out" "build: mvn -pl java/cli -am package"
rm "$J/qat4j-native-skipped"
expect_has "launcher: built with native -> no rebuild" "$(launch "$TOOLS $USERID" inspect m.tflite)" "build: none"
expect_eq "launcher: no stand-in was run by the plans" "$(grep -v -e '^id' -e '^sudo -n true' "$T/calls" 2>/dev/null)" ""
rm -rf "$ROOT/java/cli/target-plan-test-$$"

echo "test-setup: $PASS checks passed"
