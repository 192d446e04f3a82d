#!/usr/bin/env bash
# examples/ built the way a user's project is: qat4j is installed (mvn install -DskipTests) into a PRIVATE local
# Maven repository, then examples/ (its own pom, depending on the installed artifacts) is built offline against it
# and run (the README's Java example: train, QAT, int8 export, one inference on TFLite).
# The private repository is seeded from ~/.m2/repository through a file:// repository, so this needs no network
# when ~/.m2 already holds what `mvn verify` used, and the shared ~/.m2 never gets qat4j SNAPSHOTs.
#   bash scripts/examples-test.sh [-Dqat4j.native.skip=true] [-Dqat4j.fashionMnist=DIR]
# ./test runs it after mvn verify; QAT4J_EXAMPLES=0 skips it there.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SEED="${QAT4J_SEED_REPO:-$HOME/.m2/repository}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
repo() { # $1 = element name (repository / pluginRepository)
  echo "<$1><id>seed</id><url>file://$SEED</url><releases><enabled>true</enabled></releases>"
  echo "<snapshots><enabled>false</enabled></snapshots></$1>"
}
cat >"$WORK/settings.xml" <<XML
<settings>
  <localRepository>$WORK/repo</localRepository>
  <profiles><profile><id>seed</id>
    <repositories>$(repo repository)</repositories>
    <pluginRepositories>$(repo pluginRepository)</pluginRepositories>
  </profile></profiles>
  <activeProfiles><activeProfile>seed</activeProfile></activeProfiles>
</settings>
XML
echo "[examples] mvn install -DskipTests of qat4j-quant and qat4j-runtime (and what they need) into $WORK/repo" >&2
mvn -B -q -s "$WORK/settings.xml" "$@" -DskipTests -Dqat4j.style.skip=true -pl java/quant,java/runtime -am install
echo "[examples] building and running a copy of examples/ offline against the installed artifacts" >&2
# a copy outside the repository: the repository's .mvn/maven.config (-Djavacpp.platform) must not help it
cp -r examples "$WORK/examples"
(cd "$WORK/examples" && mvn -B -q -o -s "$WORK/settings.xml" "$@" package exec:java)
# A consumer must not resolve other platforms' natives (issue 15): only this host's JavaCPP classifier jars.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x86_64 ;; Linux-aarch64) host=linux-arm64 ;;
  Darwin-arm64) host=macosx-arm64 ;; Darwin-x86_64) host=macosx-x86_64 ;; *) host=unknown ;;
esac
jars="$(find "$WORK/repo/org/bytedeco" -name '*.jar' | grep -E -- '-(android|ios|linux|macosx|windows)-[a-z0-9_]+\.jar$' || true)"
foreign="$(grep -v -- "-$host\.jar$" <<<"$jars" || true)"
if [ -n "$foreign" ]; then
  echo "[examples] FAILED: natives of other platforms than $host were resolved:" >&2
  echo "$foreign" >&2
  exit 1
fi
echo "[examples] ok: $(grep -c . <<<"$jars") JavaCPP native jars resolved, all $host" >&2
