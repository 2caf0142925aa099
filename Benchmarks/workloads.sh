#!/usr/bin/env bash
# Times the standard workloads of Benchmarks/README.md as whole commands (start-up included) on
# the release build: wall time and peak memory (GNU time), one and two threads, and checks that
# the output is byte-identical for any thread count. Usage:
#   Benchmarks/workloads.sh            # W1, W2, W3 and the scaling table
#   Benchmarks/workloads.sh W2         # one workload
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/install-packages
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
.ci/build-release >/dev/null
bin=.build/release/workforce
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure NAME THREADS ARGS...: prints "NAME threads=T wall=S s peak=M MiB"
measure() {
    local name=$1 threads=$2; shift 2
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" "$@" --threads "$threads" --out "$work/$name-$threads.csv"
    read -r wall kib < "$work/time"
    printf '%-28s threads=%s wall=%6.2f s  peak=%6.0f MiB\n' "$name" "$threads" "$wall" "$((kib / 1024))"
}

# identical NAME: the one- and two-thread outputs are the same bytes
identical() {
    if cmp -s "$work/$1-1.csv" "$work/$1-2.csv"; then echo "$1: output byte-identical for 1 and 2 threads"; else echo "$1: OUTPUT DIFFERS between thread counts"; exit 1; fi
}

synth() { # DIR UNITS REGIONS NOISE
    "$bin" synth --units "$2" --regions "$3" --roles 8 --programmes 4 --noise "$4" --out "$1" >/dev/null
}

only=${1:-all}
if [ "$only" = all ] || [ "$only" = W1 ]; then
    measure W1 2 run Scenarios/north-west-2017/scenario.yaml --paths 2000
fi
if [ "$only" = all ] || [ "$only" = W2 ]; then
    synth "$work/w2" 153 9 none
    measure W2 1 run "$work/w2/scenario.yaml" --paths 10000
    measure W2 2 run "$work/w2/scenario.yaml" --paths 10000
    identical W2
fi
if [ "$only" = all ] || [ "$only" = W3 ]; then
    synth "$work/w3" 153 9 binomial
    measure W3 1 run "$work/w3/scenario.yaml" --paths 10000
    measure W3 2 run "$work/w3/scenario.yaml" --paths 10000
    identical W3
fi
if [ "$only" = all ] || [ "$only" = scaling ]; then
    # W2 at 1x, 2x, 4x paths and units (1,000 paths as the base, to keep the table quick).
    for units in 153 306 612; do
        synth "$work/s$units" "$units" 9 none
        for paths in 1000 2000 4000; do
            measure "scaling units=$units paths=$paths" 2 run "$work/s$units/scenario.yaml" --paths "$paths"
        done
    done
fi
if [ "$only" = W3small ]; then
    # W3 at 2,000 paths (a fifth of the standard 10,000), one and two threads.
    synth "$work/w3" 153 9 binomial
    measure "W3 (2,000 paths)" 1 run "$work/w3/scenario.yaml" --paths 2000
    measure "W3 (2,000 paths)" 2 run "$work/w3/scenario.yaml" --paths 2000
fi
