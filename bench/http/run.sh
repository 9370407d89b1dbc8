#!/usr/bin/env bash
# Benchmarks Analyze over the JSON/HTTP gateway next to gRPC, in one run, on one warm index:
# builds archivumd and archivum_bench_http (Release, build/bench), starts a fresh daemon on
# ports chosen by the OS with the bundled plugins, generates a corpus, ingests it over HTTP,
# then runs the closed-loop client against POST /analyze and gRPC Analyze in turn.
#
#   bench/http/run.sh                       defaults: 8 connections, 10 s each, query "report"
#   bench/http/run.sh -c 32 -d 20 --query 'quarterly OR report'
#   FILES=5000 bench/http/run.sh            corpus size (default 2000 files)
#
# Arguments go to archivum_bench_http (see its --help). The numbers are only comparable within
# one run on one machine.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

build="$ARCHIVUM_ROOT/build/bench"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$ARCHIVUM_ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DARCHIVUM_BUILD_TESTS=OFF
fi
cmake --build "$build" -j "${ARCHIVUM_JOBS:-2}"

work=$(mktemp -d)
daemon_pid=
cleanup() {
  if [[ -n $daemon_pid ]]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A corpus with a few recurring words, so queries have many matches to rank.
files=${FILES:-2000}
words=(report quarterly invoice archive budget summary draft review contract memo)
mkdir -p "$work/corpus"
for ((i = 0; i < files; i++)); do
  dir="$work/corpus/d$((i % 50))"
  mkdir -p "$dir"
  printf '%s %s document %d\n%s notes for %s\n' "${words[i % 10]}" "${words[(i * 7) % 10]}" "$i" \
    "${words[(i * 3) % 10]}" "${words[(i + 1) % 10]}" >"$dir/f$i.txt"
done

archivum_start_daemon "$build/bin" "$work" "$work" || exit 1
echo "daemon: gRPC $grpc, HTTP $http, corpus $files files"

"$build/bin/archivum_bench_http" --http "$http" --grpc "$grpc" --ingest "$work/corpus" "$@"
