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
