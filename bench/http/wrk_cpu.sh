#!/usr/bin/env bash
# The daemon's CPU time per HTTP request under wrk: starts archivumd from a build tree on a store
# (ingesting the tree first if the store is new), runs wrk with bench/wrk/analyze_mix.lua on
# POST /analyze, and reads the daemon's utime+stime (/proc/PID/stat) around each load run.
# CPU per request is the figure that survives other work on the machine; requests/s does not.
#
#   bench/http/wrk_cpu.sh --build build-http --work /tmp/http-helper-store
#   bench/http/wrk_cpu.sh --build build-http --work DIR --runs 3 -c 32 -d 5 --class cheap
#
# Options: --build DIR (a build tree with bin/archivumd, bin/archivum and the bundled plugins;
# required), --work DIR (holds archivum.yaml, the store and queries.tsv; kept between runs;
# required), --tree DIR (ingested into a new store, /usr/include), -c N (wrk connections, 32),
# -t N (wrk threads, nproc), -d S (seconds per run, 5), --runs N (3), --class C (query class,
# cheap), --perf FILE (perf record -g the daemon during the first run into FILE), --keep-running
# (leave the daemon up and print its PID and address). Needs wrk.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

build= work= tree=/usr/include conns=32 threads=$(nproc) duration=5 runs=3 class=cheap perf_out=
keep_running=0
while (($#)); do
  case $1 in
    --build) build=$(realpath "${2:?}"); shift ;;
    --work) work=${2:?}; shift ;;
    --tree) tree=$(realpath "${2:?}"); shift ;;
    -c) conns=${2:?}; shift ;;
    -t) threads=${2:?}; shift ;;
    -d) duration=${2:?}; shift ;;
    --runs) runs=${2:?}; shift ;;
    --class) class=${2:?}; shift ;;
    --perf) perf_out=$(realpath -m "${2:?}"); shift ;;
    --keep-running) keep_running=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "wrk_cpu.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $build && -n $work ]] || { echo "wrk_cpu.sh: --build and --work are required" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk_cpu.sh: wrk is not installed" >&2; exit 2; }
mkdir -p "$work"
work=$(realpath "$work")
bin="$build/bin"

new_store=0
[[ -d $work/store ]] || new_store=1
pid=
cleanup() {
  if ((!keep_running)) && [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
archivum_start_daemon "$bin" "$work" "$tree" || { pid=$daemon_pid; exit 1; }
pid=$daemon_pid

if ((new_store)); then
  echo "ingesting $tree into $work/store" >&2
  "$bin/archivum" --server "$grpc" ingest --json "$tree" >"$work/ingest.json"
fi
# The query mix, as bench/run builds it: sha256: of 64 sampled files, path: of their directories.
if [[ ! -s $work/queries.tsv ]]; then
  find "$tree" -type f -print0 | sort -z | tr '\0' '\n' >"$work/files"
  total=$(wc -l <"$work/files")
  awk -v n=64 -v total="$total" 'total <= n || NR % int(total / n) == 0' "$work/files" |
    grep -E '^[A-Za-z0-9_./+-]+$' >"$work/sample" || true
  {
    tr '\n' '\0' <"$work/sample" | xargs -0 -r sha256sum | awk '{ print "cheap\tsha256:" $1 }'
    xargs -r -n1 dirname <"$work/sample" | sort -u | awk '{ print "cheap\tpath:" $0 }'
    grep -v '^#' "$ARCHIVUM_ROOT/bench/queries/fulltext.txt" | grep . | sed 's/^/fulltext\t/'
  } >"$work/queries.tsv"
fi

hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
wrk_run() {  # wrk_run SECONDS RESULT
  QUERIES="$work/queries.tsv" CLASS=$class RESULT=$2 \
    wrk -t"$threads" -c"$conns" -d"$1s" --timeout 10s -s "$ARCHIVUM_ROOT/bench/wrk/analyze_mix.lua" \
    "http://$http/analyze" >/dev/null
}
wrk_run 1 /dev/null  # warm-up
echo "wrk -t$threads -c$conns -d${duration}s, class $class, daemon $pid ($http)"
for ((r = 1; r <= runs; r++)); do
  perf_pid=
  if [[ -n $perf_out && $r == 1 ]]; then
    perf record -g -o "$perf_out" -p "$pid" 2>/dev/null &
    perf_pid=$!
    sleep 0.3
  fi
  t0=$(ticks)
  wrk_run "$duration" "$work/wrk.json"
  t1=$(ticks)
  if [[ -n $perf_pid ]]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    { match($0, /"requests": [0-9]+/); n = substr($0, RSTART + 12, RLENGTH - 12) + 0
      match($0, /"rps": [0-9.]+/); rps = substr($0, RSTART + 7, RLENGTH - 7) + 0
      match($0, /"p99": [0-9.]+/); p99 = substr($0, RSTART + 7, RLENGTH - 7) + 0
      match($0, /"status": [0-9]+/); bad = substr($0, RSTART + 10, RLENGTH - 10) + 0
      cpu = (t1 - t0) / hz
      printf "run: %d requests, %.0f req/s, p99 %.2f ms, non-2xx %d; daemon CPU %.2f s = %.1f us/request (load %s)\n",
        n, rps, p99, bad, cpu, n ? cpu * 1e6 / n : 0, load }' "$work/wrk.json"
done
if ((keep_running)); then echo "daemon left running: pid $pid, http $http, grpc $grpc"; fi
