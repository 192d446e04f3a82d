#!/usr/bin/env bash
# The fresh-machine check of the README's two commands (issue 19), as root: a clone of this checkout in
# a private mount namespace where cmake, ctest, g++, gcc, cc and c++ are replaced by a non-executable file
# and /usr/share/datasets/fashion-mnist by an empty folder, with an empty Maven repository and an empty
# user cache; then `./qat4j demo --quick` (must write its report) and `./test` (must pass).
#   scripts/fresh-check.sh [WORKDIR]     default /tmp/qat4j-fresh; logs WORKDIR/demo.log, WORKDIR/test.log
# CPU-heavy (a full build and every test); needs network for Maven Central and deb.debian.org.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
W="${1:-/tmp/qat4j-fresh}"
[ "$(id -u)" -eq 0 ] || { echo "fresh-check: needs root (mount namespace)" >&2; exit 2; }
rm -rf "$W"
mkdir -p "$W/empty"
: > "$W/hidden"
git clone -q "$ROOT" "$W/qat4j"
echo "fresh-check: clone of $(git -C "$W/qat4j" log -1 --format='%h %s' | cut -c1-80)"

exec unshare -m --propagation private bash -c '
set -euo pipefail
W="$1"
for t in cmake ctest g++ gcc cc c++; do
  p="$(command -v "$t" 2>/dev/null)" && mount --bind "$W/hidden" "$(readlink -f "$p")"
done
[ -d /usr/share/datasets/fashion-mnist ] && mount --bind "$W/empty" /usr/share/datasets/fashion-mnist
hash -r
echo "fresh-check: hidden: cmake $(cmake --version 2>&1 | head -1), g++ $(g++ --version 2>&1 | head -1)," \
  "fashion-mnist files=$(ls /usr/share/datasets/fashion-mnist 2>/dev/null | wc -l)"
export MAVEN_OPTS="-Dmaven.repo.local=$W/m2"
echo "fresh-check: $(lscpu | sed -n "s/^Model name: *//p"), $(nproc) cpus; $(uptime)"
cd "$W/qat4j"
TIMEFORMAT="fresh-check: %R s wall"
export XDG_CACHE_HOME="$W/cache-demo"
{ time ./qat4j demo --quick --out "$W/demo-out"; } 2>&1 | tee "$W/demo.log"
[ -s "$W/demo-out/report.html" ] || { echo "fresh-check: FAIL: no report.html" >&2; exit 1; }
echo "fresh-check: demo reached its report; $(uptime)"
export XDG_CACHE_HOME="$W/cache-test"
{ time ./test; } 2>&1 | tee "$W/test.log"
echo "fresh-check: ./test passed; $(uptime)"
' _ "$W"
