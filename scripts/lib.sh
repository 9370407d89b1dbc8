# Shared by scripts/run, scripts/test and bench/run. Source it; don't run it.

ARCHIVUM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# archivum_bootstrap: installs missing Debian packages (uses sudo when not root); quick no-op
# when everything is there.
archivum_bootstrap() {
  "$ARCHIVUM_ROOT/scripts/bootstrap"
}

# archivum_build DIR BUILD_TYPE [extra cmake args...]: configures once, then builds incrementally
# with -j2 (ARCHIVUM_JOBS overrides).
archivum_build() {
  local dir=$1 type=$2
  shift 2
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -S "$ARCHIVUM_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@"
  fi
  cmake --build "$dir" -j "${ARCHIVUM_JOBS:-2}"
}
