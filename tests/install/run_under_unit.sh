#!/usr/bin/env bash
# Runs a command under what config/archivumd.service imposes on system calls and privileges, on a
# host where systemd is not PID 1 (a container, CI). With systemd as PID 1, test the unit itself:
#   systemd-run --wait --pty -p User=archivum ... (README, "Install and packaging").
# Emulated: SystemCallFilter= (the unit's lines, expanded by systemd-analyze syscall-filter),
# SystemCallErrorNumber=EPERM, MemoryDenyWriteExecute, RestrictAddressFamilies,
# RestrictNamespaces, RestrictRealtime, LockPersonality (tests/install/unit_filter.c),
# NoNewPrivileges, an empty CapabilityBoundingSet and AmbientCapabilities, and with RUN_AS=USER
# (when run as root) that user instead of the unit's archivum, e.g. RUN_AS=nobody: the command
# and the files it reads or writes must then be accessible to that user. Not emulated: the mount namespace
# (ProtectSystem, ProtectHome, PrivateTmp, PrivateDevices, ProtectProc...), PrivateUsers.
# Usage: run_under_unit.sh UNIT_FILE COMMAND [ARGS...]
set -euo pipefail
unit=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
# Scratch space for the list and the filter program; unit_filter removes it before it executes
# the command (this script's trap, for a failure before that).
work=$(mktemp -d "${TMPDIR:-/tmp}/archivum-unit.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# The unit's SystemCallFilter= lines in order: a line adds its calls and groups, a "~" line
# removes them; groups expand recursively as systemd-analyze lists them.
allowed=$work/allowed.txt
systemd-analyze syscall-filter --no-pager >"$work/groups.txt" 2>/dev/null
python=/usr/bin/python3
[[ -x $python ]] || python=python3
"$python" - "$work/groups.txt" "$unit" >"$allowed" <<'PY'
import sys
groups, current = {}, None
for line in open(sys.argv[1]):
    word = line.split("#", 1)[0].strip()
    if not word:
        continue
    if not line[0].isspace():
        current = groups.setdefault(word, [])
    elif current is not None:
        current.append(word)
def expand(item):
    if not item.startswith("@"):
        return {item}
    if item not in groups:
        sys.exit(f"run_under_unit: unknown group {item}")
    return set().union(*(expand(i) for i in groups[item])) if groups[item] else set()
allowed = set()
for line in open(sys.argv[2]):
    if not line.startswith("SystemCallFilter="):
        continue
    value = line.split("=", 1)[1].strip()
    deny = value.startswith("~")
    names = set().union(*(expand(w) for w in value.lstrip("~").split()))
    allowed = allowed - names if deny else allowed | names
if not allowed:
    sys.exit("run_under_unit: no SystemCallFilter= in " + sys.argv[2])
print("\n".join(sorted(allowed)))
PY
rm "$work/groups.txt"

cc -O1 -o "$work/unit_filter" "$here/unit_filter.c" -lseccomp
user_args=()
if [[ -n ${RUN_AS:-} ]]; then
  user_args=(--reuid="$(id -u "$RUN_AS")" --regid="$(id -g "$RUN_AS")" --clear-groups)
fi
trap - EXIT
exec setpriv ${user_args[@]+"${user_args[@]}"} --no-new-privs --bounding-set=-all \
  --inh-caps=-all --ambient-caps=-all "$work/unit_filter" "$allowed" "$@"
