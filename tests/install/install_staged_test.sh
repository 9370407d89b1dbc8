#!/usr/bin/env bash
# The staged install (ctest: install_staged_test): `cmake --install` of this build tree into a
# temporary DESTDIR, then the layout is checked and the installed programs are run from there:
#   - the files of cmake/Packaging.cmake are present; bin/ holds the four programs and
#     lib/archivum/plugins/ exactly the bundled plugins; no other ELF file (no test, benchmark or
#     fuzz harness) is installed, and none carries an RPATH/RUNPATH;
#   - the unit's exposure (systemd-analyze security --offline) is 3.0 or better, without
#     warnings, and its ExecStart names the installed daemon and configuration;
#   - `archivumd --check-config` passes on the installed configuration (its plugins loaded in
#     sandboxed workers, the installed archivum-worker);
#   - the installed daemon, started on a store and port 0 with the default isolation, under the
#     unit's system-call filter, W^X memory and no privileges (run_under_unit.sh: systemd is not
#     PID 1 here), finds the installed worker and bundled plugins (next to itself, not in the build
#     tree), whose sandbox still confines itself: the installed CLI ingests a directory (a text
#     file and a mail message, each through a plugin in a worker), queries it, lists the plugins,
#     and SIGTERM stops the daemon with exit status 0.
# Usage: install_staged_test.sh CMAKE BUILD_DIR PREFIX CONFIG_DIR "PLUGIN..."
set -euo pipefail

cmake=$1 build=$2 prefix=$3 config_dir=$4
read -r -a plugins <<<"$5"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh  # archivum_start_daemon: sets daemon_pid, grpc, http
source "$here/../../scripts/lib.sh"
# Debian's python3 (scripts/bootstrap), not a version manager's shim, which starts slowly.
python=/usr/bin/python3
[[ -x $python ]] || python=python3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/archivum-install.XXXXXX")
daemon_pid=
cleanup() {
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Each step's start, with the seconds since the test began (for a slow step, not a pass/fail).
start_ns=$(date +%s%N)
step() {
  echo "[$((($(date +%s%N) - start_ns) / 1000000))ms] $*"
}

step "cmake --install"
stage=$tmp/stage
bin=$stage$prefix/bin
DESTDIR=$stage "$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

step "layout"
# ---- Layout ----------------------------------------------------------------------------------
expected_elf=()
for program in archivumd archivum archivum-worker archivum-plugin-check; do
  expected_elf+=("$bin/$program")
done
for plugin in "${plugins[@]}"; do
  expected_elf+=("$stage$prefix/lib/archivum/plugins/$plugin.so")
done
for file in "${expected_elf[@]}" \
  "$stage$config_dir/archivum.yaml" \
  "$stage$prefix/lib/systemd/system/archivumd.service" \
  "$stage$prefix/lib/sysusers.d/archivum.conf" \
  "$stage$prefix/lib/tmpfiles.d/archivum.conf" \
  "$stage$prefix/include/archivum/plugin.h" \
  "$stage$prefix/include/archivum/plugin.hpp" \
  "$stage$prefix/share/doc/archivum/README.md" \
  "$stage$prefix/share/doc/archivum/archivum.yaml.example"; do
  [[ -f $file ]] || fail "not installed: ${file#"$stage"}"
done
[[ -n $(find "$stage$prefix" -path '*/cmake/ArchivumPluginApi/ArchivumPluginApiConfig.cmake') ]] ||
  fail "the plugin SDK's CMake package (ArchivumPluginApiConfig.cmake) is not installed"

# Every installed ELF file: exactly the expected ones, none with a run-time search path.
"$python" - "$stage" "${expected_elf[@]}" >"$tmp/elf.txt" <<'PY' || fail "installed ELF files (above)"
import os, sys
stage, expected = sys.argv[1], set(sys.argv[2:])
bad = []
for root, _, files in os.walk(stage):
    for name in files:
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        print(path)
        if path not in expected:
            bad.append(path[len(stage):])
if bad:
    sys.exit("installed but not part of the install layout: " + ", ".join(sorted(bad)))
PY
mapfile -t elf_files <"$tmp/elf.txt"
if readelf -d "${elf_files[@]}" | grep -E '^File:|RPATH|RUNPATH' | grep -B1 -E 'RPATH|RUNPATH'; then
  fail "installed files with a run-time search path (above)"
fi

step "the unit"
# ---- The unit ----------------------------------------------------------------------------------
unit=$stage$prefix/lib/systemd/system/archivumd.service
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/bootstrap)"
# --threshold=30: an exposure above 3.0 fails; any warning (an unknown or misspelled setting,
# which systemd would ignore) fails too.
systemd-analyze security --offline=true --threshold=30 "$unit" >"$tmp/security.txt" \
  2>"$tmp/security.err" || { cat "$tmp/security.txt" "$tmp/security.err" >&2; fail "exposure above 3.0"; }
[[ ! -s $tmp/security.err ]] || { cat "$tmp/security.err" >&2; fail "systemd-analyze warned"; }
grep -o 'Overall exposure level.*' "$tmp/security.txt"
if [[ $prefix == /usr ]]; then
  grep -qx "ExecStart=$prefix/bin/archivumd --config $config_dir/archivum.yaml" "$unit" ||
    fail "the unit's ExecStart does not name $prefix/bin/archivumd and $config_dir/archivum.yaml"
else
  echo "note: this tree's install prefix is $prefix; the unit's paths assume /usr"
fi

step "--check-config"
# ---- The installed configuration ---------------------------------------------------------------
"$bin/archivumd" --check-config "$stage$config_dir/archivum.yaml" >"$tmp/check.txt" 2>&1 ||
  { cat "$tmp/check.txt" >&2; fail "archivumd --check-config rejects the installed configuration"; }
grep -q ': ok$' "$tmp/check.txt" || { cat "$tmp/check.txt" >&2; fail "--check-config said no ok"; }

# ---- The installed daemon ----------------------------------------------------------------------
mkdir -p "$tmp/work" "$tmp/docs"
echo "the quick okapi jumps over the staged install" >"$tmp/docs/note.txt"
printf 'From: ops@example.org\nTo: dev@example.org\nSubject: okapi sighting\n\nAn okapi in the staging area.\n' \
  >"$tmp/docs/message.eml"
# A picture: its thumbnail comes from libvips, which must do without writable executable memory
# (MemoryDenyWriteExecute).
"$python" - "$tmp/docs/picture.png" <<'PY'
import struct, sys, zlib
# Larger than a thumbnail, so that libvips scales it down (where its vector code would run).
width, height = 640, 480
ramp = bytes(i * 5 % 256 for i in range(width * 3 + 256))
rows = b"".join(b"\0" + ramp[y % 256:y % 256 + width * 3] for y in range(height))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
with open(sys.argv[1], "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
step "the installed daemon"
# Only the plugins the three files need (the rest load slowly under the sanitizers, and
# --check-config above has loaded every one of them already), in the default isolation.
only_plugins="plugins:
  settings:"
for plugin in "${plugins[@]}"; do
  case $plugin in filetype | text | mail | image) ;; *) only_plugins+=$'\n'"    $plugin: {enabled: false}" ;; esac
done
# Under the unit's system-call filter and without privileges (run_under_unit.sh emulates what
# config/archivumd.service imposes there, systemd being absent here): the daemon and its
# sandboxed workers must work within it.
mkdir -p "$tmp/unit-bin"
printf '#!/bin/sh\nexec "%s" "%s" "%s" "$@"\n' "$here/run_under_unit.sh" "$unit" "$bin/archivumd" \
  >"$tmp/unit-bin/archivumd"
chmod +x "$tmp/unit-bin/archivumd"
# LeakSanitizer's check at exit stops the world with ptrace, which the filter denies.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  archivum_start_daemon "$tmp/unit-bin" "$tmp/work" "$tmp/docs" "$only_plugins" ||
  fail "the installed daemon did not start"

step "ingest"
"$bin/archivum" --server "$grpc" --timeout 60 ingest "$tmp/docs" >"$tmp/ingest.txt" 2>&1 ||
  { cat "$tmp/ingest.txt" "$tmp/work/daemon.log" >&2; fail "ingest failed"; }
if ! grep -Eq '^ +ingested +3$' "$tmp/ingest.txt" ||
  ! grep -Eq '^ +plugin errors +0$' "$tmp/ingest.txt"; then
  cat "$tmp/ingest.txt" "$tmp/work/daemon.log" >&2
  fail "ingest did not catalog the three files cleanly"
fi

step "analyze"
"$bin/archivum" --server "$grpc" --timeout 30 analyze okapi >"$tmp/analyze.txt" 2>&1 ||
  { cat "$tmp/analyze.txt" >&2; fail "analyze failed"; }
for file in note.txt message.eml; do
  grep -q "$tmp/docs/$file" "$tmp/analyze.txt" || { cat "$tmp/analyze.txt" >&2; fail "okapi did not find $file"; }
done

step "thumbnail"
curl -sS -o "$tmp/thumbnail" -w '%{http_code} %{content_type}\n' \
  "http://$http/v1/thumbnail?path=$tmp/docs/picture.png" >"$tmp/thumbnail.txt" 2>&1 || true
[[ $(cat "$tmp/thumbnail.txt") == "200 image/webp" && -s $tmp/thumbnail ]] ||
  { cat "$tmp/thumbnail.txt" "$tmp/work/daemon.log" >&2; fail "no thumbnail of picture.png"; }

# The plugins that did the work are the installed ones, each called in a sandboxed worker.
step "plugins"
"$bin/archivum" --server "$grpc" --timeout 30 --json plugins >"$tmp/plugins.json" 2>&1 ||
  { cat "$tmp/plugins.json" >&2; fail "plugins failed"; }
"$python" - "$tmp/plugins.json" "$stage$prefix/lib/archivum/plugins" <<'PY' || fail "plugins (above)"
import json, sys
plugins = {p["name"]: p for p in json.load(open(sys.argv[1]))["plugins"]}
for name in ("filetype", "text", "mail", "image"):
    p = plugins.get(name)
    want = f"{sys.argv[2]}/{name}.so"
    if p is None or p["state"] != "LOADED" or p["file"] != want or p["isolation"] != "process" \
            or int(p["calls"]) < 1:
        sys.exit(f"plugin {name}: want LOADED from {want}, in a worker process, called: got {p}")
PY

step "SIGTERM"
kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
daemon_pid=
((status == 0)) || { cat "$tmp/work/daemon.log" >&2; fail "archivumd exited with $status after SIGTERM"; }
step "install_staged_test: ok"
