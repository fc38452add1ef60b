# Shared by the scripts: paths, tool environment, and small helpers. Source it; do not run it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/pkg/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk: use the installed tools, never download, never nag about versions. NO_COLOR=1 makes trunk 0.21 exit.
export TRUNK_SKIP_VERSION_CHECK=true
if [ "${NO_COLOR:-}" = "1" ]; then export NO_COLOR=true; fi
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || true)}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# The dashboard's Trunk builds: Leptos's erase_components (as .cargo/config.toml, which RUSTFLAGS replaces) and
# relocations kept in the linked wasm, which scripts/split-web needs to split it.
DASHBOARD_RUSTFLAGS="--cfg erase_components -Clink-arg=--emit-relocs"
SERVER_BIN="$TARGET_DIR/debug/flightdeck-server"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# optimize_wasm FILE LEVEL: wasm-opt in place (-Oz for size, -O3 for speed), stripped, with the features rustc enables
# by default for wasm32 (wasm-bindgen drops the target_features section that would tell wasm-opt).
optimize_wasm() {
  wasm-opt "$2" --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue "$1" -o "$1"
}

# Gzipped size of a file in bytes.
gzip_size() { gzip -9 -c "$1" | wc -c | tr -d ' '; }

# dashboard_sizes DIST: the built dashboard's wasm, as scripts/build-web and scripts/test report it: the main module
# (raw, gzipped, and in Brotli as browsers are sent it), then what loads after it (scripts/split-web's modules and
# shared chunks). Nothing when DIST holds no build.
dashboard_sizes() {
  local main count=0 total=0 file
  main=$(ls "$1"/flightdeck-web-*_bg.wasm 2>/dev/null | head -n1 || true)
  [ -n "$main" ] || return 0
  for file in "$1"/split_*.wasm "$1"/chunk_*.wasm; do
    [ -f "$file" ] || continue
    count=$((count + 1)); total=$((total + $(gzip_size "$file")))
  done
  echo "main module $(wc -c <"$main") bytes, $(gzip_size "$main") bytes gzipped, $(wc -c <"$main.br" 2>/dev/null || echo "?") \
bytes sent (Brotli); $count more modules, $total bytes gzipped"
}

# start_emulator LOGFILE ARGS... : starts flightdeck-server on a free loopback port; sets EMULATOR_URL and
# EMULATOR_PID. The caller stops it (stop_emulator) or leaves it to the EXIT trap.
start_emulator() {
  local logfile=$1; shift
  "$SERVER_BIN" --listen 127.0.0.1:0 "$@" >"$logfile" 2>&1 &
  EMULATOR_PID=$!
  for _ in $(seq 1 100); do
    EMULATOR_URL=$(sed -n 's/^listening on //p' "$logfile" | head -n1)
    [ -n "$EMULATOR_URL" ] && return 0
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "flightdeck-server did not start:" >&2; cat "$logfile" >&2
  return 1
}
stop_emulator() { [ -n "${EMULATOR_PID:-}" ] && kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null || true; EMULATOR_PID=; }
