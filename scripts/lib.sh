# Shared by scripts/run, scripts/test and bench/run. Source it; don't run it.

ARCHIVUM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# archivum_bootstrap: installs missing Debian packages (uses sudo when not root); quick no-op
# when everything is there.
archivum_bootstrap() {
  "$ARCHIVUM_ROOT/scripts/bootstrap"
}

# archivum_compiler_launcher_args: the CMake arguments that compile through ccache when it is
# installed (ARCHIVUM_CCACHE=0 turns that off), none otherwise. A cold cache adds a little to each
# compile; a warm one (a developer's machine, or CI keeping ~/.cache/ccache) skips unchanged
# sources even in a fresh build tree. Only read when a tree is first configured.
archivum_compiler_launcher_args() {
  if [[ ${ARCHIVUM_CCACHE:-1} != 0 ]] && command -v ccache >/dev/null; then
    echo "-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  fi
}

# archivum_configure DIR BUILD_TYPE [extra cmake args...]: configures DIR once (with ccache when
# installed); a no-op when DIR is already configured.
archivum_configure() {
  local dir=$1 type=$2
  shift 2
  if [[ ! -f "$dir/build.ninja" ]]; then
    # shellcheck disable=SC2046  # word splitting of the launcher arguments is intended
    cmake -S "$ARCHIVUM_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
      $(archivum_compiler_launcher_args) "$@"
  fi
}

# archivum_build DIR BUILD_TYPE [extra cmake args...] [-- targets...]: configures once, then
# builds the targets (default: all) incrementally with -j2 (ARCHIVUM_JOBS overrides).
archivum_build() {
  local dir=$1 type=$2
  shift 2
  local args=() targets=()
  while (($# > 0)) && [[ $1 != -- ]]; do
    args+=("$1")
    shift
  done
  if (($# > 0)); then
    shift
    targets=(--target "$@")
  fi
  archivum_configure "$dir" "$type" ${args[@]+"${args[@]}"}
  cmake --build "$dir" -j "${ARCHIVUM_JOBS:-2}" ${targets[@]+"${targets[@]}"}
}

# archivum_start_daemon BIN_DIR WORK ROOT [YAML]: writes WORK/archivum.yaml (gRPC and HTTP on
# loopback port 0, the store in WORK/store, ROOT as the one ingest root, then YAML verbatim if
# given, e.g. "plugins: {isolation: inprocess}"), starts BIN_DIR/archivumd on it in
# the background (its log in WORK/daemon.log) and waits, at most 60 s, until it logs both
# listening addresses. Sets daemon_pid, grpc and http ("127.0.0.1:PORT"); on failure prints the
# log to stderr and returns 1 (the daemon, if still running, is left to the caller's cleanup).
archivum_start_daemon() {
  local bin_dir=$1 work=$2 root=$3 extra=${4:-}
  cat >"$work/archivum.yaml" <<YAML
server:
  grpc:
    listen: 127.0.0.1:0
  http:
    enabled: true
    listen: 127.0.0.1:0
store:
  path: store
ingest:
  roots: ["$root"]
log:
  level: info
$extra
YAML
  "$bin_dir/archivumd" --config "$work/archivum.yaml" >/dev/null 2>"$work/daemon.log" &
  daemon_pid=$!
  grpc= http=
  local _
  for _ in $(seq 600); do
    grpc=$(sed -n 's/.*gRPC listening on \([0-9.:]*\).*/\1/p' "$work/daemon.log" | head -n1)
    http=$(sed -n 's/.*HTTP listening on \([0-9.:]*\).*/\1/p' "$work/daemon.log" | head -n1)
    [[ -n $grpc && -n $http ]] && return 0
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "archivumd did not report both listening addresses; its log:" >&2
  cat "$work/daemon.log" >&2
  return 1
}
