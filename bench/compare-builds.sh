#!/usr/bin/env bash
# Two builds' clusters on this machine at once, measuring in turns (a round each), so that the machine's drift falls on
# both alike: 10,000 no-op runs submitted at once, or with LOAD fan-out a workflow's 10,000 children. Each checkout must
# be built in Release and have `--take-turns` (and `--fan-out` for that load).
#   bench/compare-builds.sh CHECKOUT_A CHECKOUT_B [ROUNDS] [LOAD]     (default 14 rounds each, at-once; about 4 minutes)
# Prints each round's rate, B's rate over A's rounds on either side of it, and the medians of CPU per run (per child).
set -euo pipefail
a=$(realpath "$1"); b=$(realpath "$2"); rounds=${3:-14}; load=${4:-at-once}
case "$load" in
  at-once) option="" ;;
  fan-out) option="--fan-out" ;;
  *) echo "LOAD is at-once or fan-out, not '$load'" >&2; exit 2 ;;
esac
for checkout in "$a" "$b"; do
  if [ ! -f "$checkout/bench/Routines.Bench/bin/Release/net10.0/Routines.Bench.dll" ]; then
    echo "$checkout is not built in Release: (cd $checkout && dotnet build -c Release Routines.sln)" >&2; exit 2
  fi
  for needed in --take-turns $option; do
    if ! grep -rqs --include=*.cs -- "\"$needed\"" "$checkout/bench/Routines.Bench"; then
      echo "$checkout's cluster bench has no $needed (see bench/Routines.Bench/TakingTurns.cs and ClusterBench.cs)" >&2; exit 2
    fi
  done
done
out=$(mktemp -d /tmp/compare-builds.XXXXXX); mkdir "$out/turns"
member=0; pids=()
for checkout in "$a" "$b"; do
  (cd "$checkout" && exec dotnet run -c Release --no-build --project bench/Routines.Bench -- cluster \
     --take-turns "$out/turns" --member $member --members 2 --rounds "$rounds" $option > "$out/$member.txt" 2>&1) &
  pids+=($!); member=$((member + 1))
done
until [ -f "$out/turns/ready-0" ] && [ -f "$out/turns/ready-1" ]; do
  sleep 0.5
  for m in 0 1; do
    if ! kill -0 "${pids[$m]}" 2>/dev/null; then
      # The other one stops waiting for its turn and stops its cluster.
      touch "$out/turns/stop"; wait || true
      echo "member $m ended before its turns; see $out/$m.txt" >&2; exit 1
    fi
  done
done
touch "$out/turns/0-0"
if ! wait -n; then touch "$out/turns/stop"; wait || true; echo "a member failed during its turns; see $out" >&2; exit 1; fi
if ! wait; then echo "a member failed during its last turns; see $out" >&2; exit 1; fi
python3 - "$out" "$a" "$b" <<'PY'
import math, re, statistics, sys
out, names = sys.argv[1], sys.argv[2:]
def read(member):
    text = open(f"{out}/{member}.txt").read()
    grab = lambda pattern: [float(x) for x in re.findall(pattern, text)]
    return {"rate": grab(r"median (\d+) runs/s"), "service": grab(r"service ([\d.]+)"), "workers": grab(r"workers ([\d.]+)"),
            "PostgreSQL": grab(r"PostgreSQL ([\d.]+)"), "client": grab(r"client ([\d.]+)")}
a, b = read(0), read(1)
ratios = []
for r, rate in enumerate(b["rate"]):
    around = a["rate"][r:r + 2]  # A's rounds just before and just after B's
    ratios.append(rate / math.exp(sum(map(math.log, around)) / len(around)))
print(f"A {names[0]}\nB {names[1]}")
print("round rates, runs/s (A / B): " + ", ".join(f"{x:.0f}/{y:.0f}" for x, y in zip(a["rate"], b["rate"])))
print("B / A per round: " + " ".join(f"{x:.2f}" for x in ratios))
print(f"B / A median {statistics.median(ratios):.3f}; B lower in {sum(x < 1 for x in ratios)} of {len(ratios)} rounds")
for key in ["service", "workers", "PostgreSQL", "client"]:
    print(f"CPU per run, {key}: A {statistics.median(a[key]):.3f} ms, B {statistics.median(b[key]):.3f} ms (medians)")
PY
echo "output: $out"
