#!/usr/bin/env bash
# The engine side by side with an independent vectorised numpy implementation of MODEL.md
# (Benchmarks/numpy/reference.py): the same workloads, timed in one run, and a check that the
# expected-value runs agree number for number. Usage:
#   Benchmarks/numpy/side_by_side.sh          # agreement check, then W1, W2, W3 timed
#   Benchmarks/numpy/side_by_side.sh check    # the agreement check only
# Path counts can be changed with W1_PATHS (default 2000), W2_PATHS (10000), W3_PATHS (1000).
#
# The numpy side is timed from the scenario file, like the engine: `workforce resolve --json`
# (the engine's loader, a small part of the time) and then reference.py, which reads that JSON.
# Both write their CSV to a file. The engine runs with one thread and with every core; numpy's
# element-wise work runs on one thread (reference.py keeps BLAS on one thread too).
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
if ! "$python" -c 'import numpy' 2>/dev/null; then
    echo "installing numpy with pip"
    "$python" -m pip install --quiet numpy || "$python" -m pip install --quiet --user numpy
fi
[ -x .ci/install-packages ] && .ci/install-packages
.ci/build-release >/dev/null
bin=.build/release/workforce
ref=Benchmarks/numpy/reference.py
cores=$(nproc 2>/dev/null || echo 2)
W1_PATHS=${W1_PATHS:-2000}
W2_PATHS=${W2_PATHS:-10000}
W3_PATHS=${W3_PATHS:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

synth() { # DIR NOISE: the W2/W3 scenario of Benchmarks/README.md
    "$bin" synth --units 153 --regions 9 --roles 8 --programmes 4 --noise "$2" --out "$1" >/dev/null
}
synth "$work/w2" none
synth "$work/w3" binomial

# timed OUTFILE COMMAND...: runs COMMAND, appends "wall_seconds peak_MiB" to OUTFILE. The wall
# time is taken with nanosecond clocks around the command (GNU time's %e has 10 ms steps, a tenth
# of W1), so it includes GNU time's own start-up, about 1 ms, on both sides; the peak memory is
# GNU time's, where it is installed.
timed() {
    local out=$1; shift
    local t0 t1 peak=-
    t0=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%M" -o "$out.raw" "$@"
    else
        "$@"
    fi
    t1=$(date +%s.%N)
    [ -f "$out.raw" ] && peak=$(awk '{ printf "%d", $1 / 1024 }' "$out.raw")
    awk -v a="$t0" -v b="$t1" -v m="$peak" 'BEGIN { printf "%.3f %s\n", b - a, m }' >> "$out"
}

# median OUTFILE: the line of OUTFILE with the median wall time (the lower middle one).
median() { sort -n "$1" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }'; }

# numpy_run SCENARIO OUT.csv ARGS...: resolve, then the reference (timed together by the caller).
numpy_run() {
    local scenario=$1 out=$2; shift 2
    "$bin" resolve "$scenario" --json > "$out.json"
    "$python" "$ref" "$out.json" --out "$out" "$@"
}
export -f numpy_run
export bin ref python

echo "== Expected-value agreement (--deterministic): every row's mean within 1e-9 (relative, absolute where |x| <= 1)"
status=0
for entry in "north-west-2017:Scenarios/north-west-2017/scenario.yaml" \
             "england-2023:Scenarios/england-2023/scenario.yaml" \
             "synth W2 (noise none):$work/w2/scenario.yaml" \
             "synth W3 (noise binomial):$work/w3/scenario.yaml"; do
    name=${entry%%:*}
    scenario=${entry#*:}
    "$bin" run "$scenario" --deterministic --out "$work/det-engine.csv"
    numpy_run "$scenario" "$work/det-numpy.csv" --deterministic
    printf '%-26s ' "$name"
    "$python" "$ref" compare "$work/det-engine.csv" "$work/det-numpy.csv" || status=1
done
if [ "$status" -ne 0 ]; then echo "AGREEMENT CHECK FAILED"; fi
[ "${1:-all}" = check ] && exit "$status"

echo
echo "== Timings on this machine: $cores cores, $(uname -m), $("$python" -c 'import numpy, platform; print("Python", platform.python_version(), "numpy", numpy.__version__)')"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
rows=()
measure() { # NAME SCENARIO PATHS REPS: REPS runs of each side, alternating; medians
    local name=$1 scenario=$2 paths=$3 reps=$4
    rm -f "$work/e1" "$work/e2" "$work/np"
    for _ in $(seq "$reps"); do
        timed "$work/e1" "$bin" run "$scenario" --paths "$paths" --threads 1 --out "$work/e1.csv"
        timed "$work/e2" "$bin" run "$scenario" --paths "$paths" --threads "$cores" --out "$work/e2.csv"
        timed "$work/np" bash -c 'numpy_run "$1" "$2" --paths "$3"' _ "$scenario" "$work/np.csv" "$paths"
    done
    read -r e1 m1 <<< "$(median "$work/e1")"
    read -r e2 m2 <<< "$(median "$work/e2")"
    read -r np mn <<< "$(median "$work/np")"
    local runs=""
    [ "$reps" -gt 1 ] && runs=" (median of $reps)"
    rows+=("$(printf '| %s%s | %s | %s s, %s MiB | %s s, %s MiB | %s s, %s MiB | %sx | %sx |' \
        "$name" "$runs" "$paths" "$e1" "$m1" "$e2" "$m2" "$np" "$mn" \
        "$(awk -v a="$np" -v b="$e1" 'BEGIN { printf "%.1f", a / b }')" \
        "$(awk -v a="$np" -v b="$e2" 'BEGIN { printf "%.1f", a / b }')")")
    printf '%s done; Monte Carlo means, engine vs numpy: ' "$name"
    "$python" "$ref" compare "$work/e2.csv" "$work/np.csv" --statistical "$paths"
}
# W1 takes a tenth of a second, where one run's noise is large: five runs of each side.
measure "W1 north-west-2017, fluid" Scenarios/north-west-2017/scenario.yaml "$W1_PATHS" 5
measure "W2 synth 153 units, fluid" "$work/w2/scenario.yaml" "$W2_PATHS" 1
measure "W3 synth 153 units, binomial" "$work/w3/scenario.yaml" "$W3_PATHS" 1

echo
echo "| workload | paths | engine, 1 thread | engine, $cores threads | numpy | numpy / engine 1 thread | numpy / engine $cores threads |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
exit "$status"
