#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already there.
# Sourced by tests/run and www/run; exports PATH so a wasm32-capable cargo comes first.
# See ../shared/notes/wasm-toolchain.md for why the Debian route exists.
set -euo pipefail

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WASM_TARGET=wasm32-unknown-unknown
log() { printf '[setup] %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

has_wasm_std() { # $1 = rustc
  local sysroot
  sysroot=$("$1" --print sysroot 2>/dev/null) || return 1
  compgen -G "$sysroot/lib/rustlib/$WASM_TARGET/lib/libstd-*.rlib" >/dev/null
}

# 1. A Rust toolchain that can build wasm32: rustup's if it has the target, else Debian's rustc-web
#    with a wasm32 std built from rust-web-src (rustup cannot download targets here).
setup_rust() {
  if command -v rustc >/dev/null && has_wasm_std rustc; then
    log "using $(rustc --version) (has $WASM_TARGET)"
    return 0
  fi
  apt_install rustc-web cargo-web rust-web-src rust-web-clippy rustfmt-web lld-22
  export PATH=/usr/bin:$HOME/.cargo/bin:$PATH
  if ! has_wasm_std /usr/bin/rustc; then
    log "building the $WASM_TARGET standard library from rust-web-src (about a minute)"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && /usr/bin/cargo new -q --lib stdbuild && cd stdbuild &&
      RUSTC_BOOTSTRAP=1 /usr/bin/cargo build -q --release --target $WASM_TARGET \
        -Z build-std=std,panic_abort,test)
    local sysroot; sysroot=$(/usr/bin/rustc --print sysroot)
    mkdir -p "$sysroot/lib/rustlib/$WASM_TARGET/lib"
    cp "$tmp"/stdbuild/target/$WASM_TARGET/release/deps/*.rlib "$sysroot/lib/rustlib/$WASM_TARGET/lib/"
    rm -rf "$tmp"
  fi
  log "using $(/usr/bin/rustc --version) with a locally built $WASM_TARGET std"
}

# 2. wasm-bindgen CLI at exactly the crate's version, and wasm-pack (built with cargo install:
#    their prebuilt-binary installers cannot download here).
setup_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock")
  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$want" ]; then
    log "cargo install wasm-bindgen-cli $want (about 4 minutes)"
    # --locked can name a dependency version the registry no longer serves; then resolve afresh.
    cargo install -q wasm-bindgen-cli --version "$want" --locked ||
      cargo install -q wasm-bindgen-cli --version "$want"
  fi
  if ! command -v wasm-pack >/dev/null; then
    log "cargo install wasm-pack (a few minutes)"
    cargo install -q wasm-pack --locked || cargo install -q wasm-pack
  fi
}

# 3. Node packages for the JS tests (Azurite, the bundlers, ...), and Chromium for the browser tests.
#    `npm ci` installs tests/package-lock.json as it stands (npm install would rewrite it); a stamp
#    holding the hash of both manifests skips it while nothing changed.
setup_node() {
  command -v node >/dev/null || apt_install nodejs npm
  local stamp=$ROOT/tests/node_modules/.stamp want
  want=$(cat "$ROOT/tests/package.json" "$ROOT/tests/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ ! -d "$ROOT/tests/node_modules/azurite" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "npm ci in tests/"
    (cd "$ROOT/tests" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

# The official Python store for the interop suite, into tests/.pydeps (no venv needed).
setup_python() {
  command -v python3 >/dev/null || apt_install python3
  python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
  local req=$ROOT/tests/interop/requirements.txt stamp=$ROOT/tests/.pydeps/.stamp
  if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ]; then
    log "pip install the official Python store into tests/.pydeps"
    rm -rf "$ROOT/tests/.pydeps"
    python3 -m pip install -q --disable-pip-version-check --target "$ROOT/tests/.pydeps" -r "$req"
    touch "$stamp"
  fi
}

# A self-signed certificate for the HTTPS Azurite the OAuth tests need (bearer tokens are only
# accepted over HTTPS). Written to $1/cert.pem and $1/key.pem.
make_test_cert() {
  command -v openssl >/dev/null || apt_install openssl
  mkdir -p "$1"
  [ -f "$1/cert.pem" ] && openssl x509 -checkend 3600 -noout -in "$1/cert.pem" >/dev/null 2>&1 && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
}

setup_browser() {
  apt_install chromium chromium-driver
}

setup_all() {
  export PATH=$HOME/.cargo/bin:$PATH
  setup_rust
  setup_bindgen
  setup_node
  setup_python
}

# binaryen's wasm-opt from tests/node_modules, with the features every target runtime has.
wasm_opt() {
  node "$ROOT/tests/node_modules/binaryen/bin/wasm-opt" --enable-reference-types --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-multivalue "$@"
}

# 4. pkg/: the wasm built for size and shrunk by wasm-opt, then bound for the web target (one
#    glue file serves every runtime; the entries in pkg/ choose how the .wasm is loaded), then
#    finished by tests/finish-pkg.mjs (the glue's default wasm URL dropped; the inline copy of the
#    wasm for the bundler entry written).
#    wasm-opt is binaryen 132 from npm (tests/package.json), run before wasm-bindgen and again on
#    its output (the glue's adapters and the externref table code it adds): 1.2 KB less gzipped
#    than Debian's binaryen 108 run once, which could only run before (run after, 108 pointed the
#    externref table export at the function table and the module failed to start).
build_pkg() {
  log "building pkg/"
  (cd "$ROOT" && cargo build -q --release --target $WASM_TARGET)
  local raw=$ROOT/target/$WASM_TARGET/release/eventhubs_checkpointstore_blob_wasm.wasm
  local opt=$ROOT/target/$WASM_TARGET/release/checkpointstore.opt.wasm
  wasm_opt -Oz --strip-debug -o "$opt" "$raw"
  rm -rf "$ROOT/pkg/wasm"
  # The name and producers sections are debugging and telemetry aids a page need not download.
  wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --out-dir "$ROOT/pkg/wasm" --out-name checkpointstore "$opt"
  wasm_opt -Oz --converge --strip-debug -o "$ROOT/pkg/wasm/checkpointstore_bg.wasm" "$ROOT/pkg/wasm/checkpointstore_bg.wasm"
  node "$ROOT/tests/finish-pkg.mjs"
  # npm packs a README and a LICENSE found in the package folder.
  cp "$ROOT/README.md" "$ROOT/LICENSE" "$ROOT/pkg/"
  local gz
  gz=$(cat "$ROOT/pkg/wasm/checkpointstore_bg.wasm" "$ROOT/pkg/wasm/checkpointstore.js" | gzip -9 | wc -c)
  log "pkg/ built: wasm + glue $gz bytes gzipped"
}

# 5. The package as a user gets it, for the JS suites and the benchmark: packed, then unpacked into
#    tests/node_modules (it has no dependencies; npm install would touch tests/package-lock.json).
install_pkg_into_tests() {
  mkdir -p "$ROOT/target/npm"
  rm -f "$ROOT"/target/npm/*.tgz
  (cd "$ROOT/pkg" && npm pack --silent --pack-destination ../target/npm >/dev/null)
  local dest=$ROOT/tests/node_modules/eventhubs-checkpointstore-blob-wasm
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$ROOT"/target/npm/*.tgz -C "$dest" --strip-components=1
}
