# Set-up decisions shared by ./qat4j and ./test (sourced, not run): native toolchain or not, and where
# Fashion-MNIST comes from. The *_plan functions only decide (they read PATH, the user id and the
# folders), so scripts/test-setup.sh can check them with tools hidden; the q4j_fetch_* functions act.
#   QAT4J_DATA          Fashion-MNIST folder to use (like --data); not installed or downloaded
#   QAT4J_SYSTEM_DATA   the Debian package's folder (default /usr/share/datasets/fashion-mnist)
#   QAT4J_CACHE_DIR     user cache (default ${XDG_CACHE_HOME:-~/.cache}/qat4j)
#   QAT4J_FM_DEB_URLS, QAT4J_FM_UPSTREAM_URL   download locations (tests point them at local files)

Q4J_FM_PACKAGE=dataset-fashion-mnist
Q4J_FM_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
# SHA-256 of the four uncompressed IDX files, computed from Debian's dataset-fashion-mnist
# 0.0~git20200523.55506a9-1 (`zcat FILE.gz | sha256sum`). Checked on the uncompressed bytes because the
# Debian .gz files are recompressed: their MD5s differ from the ones Zalando publishes for its .gz files.
declare -A Q4J_FM_IDX_SHA256=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
# The Debian package itself (31 MB), as listed in bookworm's signed Packages index.
Q4J_FM_DEB=dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb
Q4J_FM_DEB_SHA256=39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0
Q4J_FM_DEB_URLS_DEFAULT="http://deb.debian.org/debian/pool/main/d/dataset-fashion-mnist/$Q4J_FM_DEB
http://snapshot.debian.org/archive/debian/20250520T000000Z/pool/main/d/dataset-fashion-mnist/$Q4J_FM_DEB"
Q4J_FM_UPSTREAM_DEFAULT=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com
Q4J_FM_INSTALL_HINT="sudo apt-get install $Q4J_FM_PACKAGE"

q4j_log() { echo "qat4j: $*" >&2; }
# True when TOOL is on PATH and executable (bash's `command -v` also reports a non-executable file).
q4j_have() { local p; p="$(command -v "$1" 2>/dev/null)" && [ -x "$p" ]; }
q4j_now_ms() { date +%s%3N; }
q4j_secs_since() { local ms=$(( $(q4j_now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }

q4j_system_data() { echo "${QAT4J_SYSTEM_DATA:-/usr/share/datasets/fashion-mnist}"; }
q4j_cache_data() { echo "${QAT4J_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qat4j}/fashion-mnist"; }

# --- native toolchain ---------------------------------------------------------------------------

# The tools the native build needs that are missing from PATH (empty: build the native parts).
q4j_native_missing() {
  local t missing=()
  for t in cmake g++ cc; do q4j_have "$t" || missing+=("$t"); done
  echo "${missing[*]}"
}

# One line: what a build without the native parts loses, and how to get it back.
q4j_native_warning() {
  echo "qat4j: warning: $1 not found, building without native parts: no EdgeTPU binding (EdgeTPU probes" \
    "\"unavailable\") and TFLite errors show bare printf formats; to get them back: sudo apt-get install cmake g++" \
    "(the next run rebuilds)"
}

# --- Fashion-MNIST -------------------------------------------------------------------------------

# True when DIR holds the four IDX files (raw or .gz), as FashionMnist.available() checks.
q4j_has_fm() {
  local f
  for f in "${Q4J_FM_FILES[@]}"; do
    [ -f "$1/$f" ] || [ -f "$1/$f.gz" ] || [ -f "$1/${f/-idx/.idx}" ] || return 1
  done
}

# True when this process may install packages: root with apt-get, or passwordless sudo.
q4j_can_root() { [ "$(id -u)" -eq 0 ] && echo root && return 0; sudo -n true >/dev/null 2>&1 && echo sudo; }

# The folder to use without installing anything: QAT4J_DATA, the Debian folder, or a verified cache.
q4j_data_found() {
  local sys cache
  if [ -n "${QAT4J_DATA:-}" ]; then echo "$QAT4J_DATA"; return 0; fi
  sys="$(q4j_system_data)"; cache="$(q4j_cache_data)"
  if q4j_has_fm "$sys"; then echo "$sys"; return 0; fi
  [ -f "$cache/.verified" ] && q4j_has_fm "$cache" && echo "$cache"
}

# Where the data comes from, one word per attempt in order, the first one prefixed by the folder when found:
#   "found DIR" | [install-root|install-sudo] [download] stop
q4j_data_plan() {
  local found steps=() who
  if found="$(q4j_data_found)"; then echo "found $found"; return; fi
  if q4j_have apt-get && who="$(q4j_can_root)"; then steps+=("install-$who"); fi
  if q4j_have curl || q4j_have wget; then steps+=(download); fi
  steps+=(stop)
  echo "${steps[*]}"
}

q4j_get() { # URL FILE: fetch with curl or wget (file:// too, for tests)
  if q4j_have curl; then curl -fsSL --retry 2 --connect-timeout 15 -m 600 -o "$2" "$1"
  else wget -q -T 15 -O "$2" "$1"; fi
}

q4j_sha256() { sha256sum "$1" | cut -c1-64; }

# Checks the four .gz files in DIR against the uncompressed SHA-256 list; names the first mismatch.
q4j_verify_fm() {
  local f got
  for f in "${Q4J_FM_FILES[@]}"; do
    got="$(gzip -dc "$1/$f.gz" 2>/dev/null | head -c 60000000 | sha256sum | cut -c1-64)"
    if [ "$got" != "${Q4J_FM_IDX_SHA256[$f]}" ]; then
      q4j_log "checksum mismatch: $f (SHA-256 of the uncompressed file $got, expected ${Q4J_FM_IDX_SHA256[$f]})"
      return 1
    fi
  done
}

# The Debian package's four files, from the first URL that serves the expected .deb, into DIR.
q4j_fetch_deb() {
  local dir="$1" url deb="$1/$Q4J_FM_DEB"
  while read -r url; do
    [ -z "$url" ] && continue
    q4j_get "$url" "$deb" 2>/dev/null || { q4j_log "  $url: not reachable"; continue; }
    if [ "$(q4j_sha256 "$deb")" != "$Q4J_FM_DEB_SHA256" ]; then q4j_log "  $url: wrong SHA-256, ignored"; continue; fi
    if q4j_have dpkg-deb; then dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir"
    else (cd "$dir" && ar x "$deb" data.tar.xz && tar -xJf data.tar.xz && rm -f data.tar.xz); fi || continue
    mv "$dir"/usr/share/datasets/fashion-mnist/*.gz "$dir"/ && rm -rf "$dir/usr" "$deb"
    q4j_verify_fm "$dir" && { echo "$url"; return 0; }
  done <<< "${QAT4J_FM_DEB_URLS:-$Q4J_FM_DEB_URLS_DEFAULT}"
  return 1
}

# The four .gz files from Zalando's public location into DIR.
q4j_fetch_upstream() {
  local dir="$1" base="${QAT4J_FM_UPSTREAM_URL:-$Q4J_FM_UPSTREAM_DEFAULT}" f
  for f in "${Q4J_FM_FILES[@]}"; do
    q4j_get "$base/$f.gz" "$dir/$f.gz" 2>/dev/null || { q4j_log "  $base: not reachable"; return 1; }
  done
  q4j_verify_fm "$dir" && echo "$base"
}

# Downloads into the user cache (atomically: a temporary folder renamed when verified).
q4j_download_fm() {
  local cache tmp from
  cache="$(q4j_cache_data)"
  mkdir -p "$(dirname "$cache")"
  tmp="$(mktemp -d "$cache.tmp.XXXXXX")"
  q4j_log "downloading Fashion-MNIST (31 MB) into $cache, SHA-256 checked ..."
  if from="$(q4j_fetch_deb "$tmp")" || { rm -rf "${tmp:?}"/*; from="$(q4j_fetch_upstream "$tmp")"; }; then
    printf '%s\n' "from $from" > "$tmp/.verified"
    rm -rf "$cache" && mv "$tmp" "$cache"
    q4j_log "  downloaded from $from"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

q4j_install_fm() { # root|sudo
  local sudo="" apt=(apt-get -y -qq -o DPkg::Lock::Timeout=300 install "$Q4J_FM_PACKAGE")
  [ "$1" = sudo ] && sudo="sudo -n"
  q4j_log "installing Fashion-MNIST: ${sudo:+$sudo }apt-get install $Q4J_FM_PACKAGE ..."
  DEBIAN_FRONTEND=noninteractive $sudo "${apt[@]}" >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive $sudo apt-get -qq update >/dev/null 2>&1 \
         && DEBIAN_FRONTEND=noninteractive $sudo "${apt[@]}" >/dev/null 2>&1; } \
    && q4j_has_fm "$(q4j_system_data)"
}

# Prints the Fashion-MNIST folder, installing or downloading it when needed (messages on stderr);
# fails with the exact command to type when neither works.
q4j_ensure_fm() {
  local plan step t0
  plan="$(q4j_data_plan)"
  if [ "${plan%% *}" = found ]; then echo "${plan#found }"; return 0; fi
  t0="$(q4j_now_ms)"
  q4j_log "Fashion-MNIST not in $(q4j_system_data) nor $(q4j_cache_data)"
  for step in $plan; do
    case "$step" in
      install-root|install-sudo)
        if q4j_install_fm "${step#install-}"; then
          q4j_log "Fashion-MNIST installed in $(q4j_system_data) ($(q4j_secs_since "$t0"))"; q4j_system_data; return 0
        fi
        q4j_log "  apt-get install $Q4J_FM_PACKAGE did not provide $(q4j_system_data)" ;;
      download)
        if q4j_download_fm; then q4j_log "Fashion-MNIST ready ($(q4j_secs_since "$t0"))"; q4j_cache_data; return 0; fi
        q4j_log "  download failed" ;;
      stop)
        q4j_log "Fashion-MNIST is needed and could not be installed or downloaded. Type:"
        q4j_log "  $Q4J_FM_INSTALL_HINT"
        q4j_log "(or pass --data DIR / set QAT4J_DATA=DIR to a folder with the four IDX files)"
        return 1 ;;
    esac
  done
}
