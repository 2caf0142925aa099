#!/usr/bin/env bash
# Compares two builds of workforce on this host: first that they write the same bytes on the
# identity set, then which is faster on one workload, timed so that the host's drift cancels.
#
#   Benchmarks/ab.sh OLD NEW [W1|W2|W3] [ROUNDS]
#
# OLD and NEW are two workforce binaries (for example a copy of .build/release/workforce made
# before a change, and the build after it). The identity set is W3 and W2 at 300 paths, W1, the
# North West and England scenarios with and without noise, and every what-if with and without
# noise; any difference stops the script (exit 1), as a change meant to be faster must not change
# a number. Then the timing, in which the two binaries always run under the same conditions:
#   W1 (2,000 paths, two threads, default 80 rounds): the binaries alternate run by run; wall
#       milliseconds, start-up included.
#   W2 (2,000 paths) and W3 (500 paths), one thread each (default 6 rounds): each round runs both
#       at once, one on each core, the cores swapped from round to round; user seconds.
# It prints each binary's median and the ratio NEW / OLD of the medians, and for pairs the
# median of the rounds' own ratios. Wall times on the 2-core virtual machines used so far move by
# 10-30% from one minute to the next, so only figures from one run of this script compare.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: Benchmarks/ab.sh OLD NEW [W1|W2|W3] [ROUNDS]" >&2; exit 2; }
old=$(readlink -f "$1") new=$(readlink -f "$2") workload=${3:-W3}
for b in "$old" "$new"; do [ -x "$b" ] || { echo "ab.sh: '$b' is not an executable" >&2; exit 2; }; done
[ -x /usr/bin/time ] || { echo "ab.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
case $workload in
W1) rounds=${4:-80} ;;
W2 | W3) rounds=${4:-6} ;;
*) echo "ab.sh: unknown workload '$workload' (valid: W1, W2, W3)" >&2; exit 2 ;;
esac
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ab.sh: ROUNDS is '$rounds'; it must be a whole number above 0" >&2; exit 2; }
cd "$(dirname "$0")/.."
scenarios=$PWD/Scenarios
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Synthetic scenarios from the old binary, so that both runs read the same files.
"$old" synth --units 153 --regions 9 --roles 8 --programmes 4 --noise none --out "$work/w2" >/dev/null
"$old" synth --units 153 --regions 9 --roles 8 --programmes 4 --noise binomial --out "$work/w3" >/dev/null

fail() { echo "ab.sh: $1 failed on $2" >&2; exit 1; }  # SIDE WHAT

same=0 differ=0
check() { # NAME ARGS...: both binaries' `run ARGS` to CSV, compared byte for byte
    local name=$1; shift
    "$old" run "$@" --out "$work/$name.old.csv" >/dev/null || fail OLD "$name"
    "$new" run "$@" --out "$work/$name.new.csv" >/dev/null || fail NEW "$name"
    if cmp -s "$work/$name.old.csv" "$work/$name.new.csv"; then same=$((same + 1)); else echo "differs: $name"; differ=$((differ + 1)); fi
}
check W3 "$work/w3/scenario.yaml" --paths 300
check W2 "$work/w2/scenario.yaml" --paths 300
check W1 "$scenarios/north-west-2017/scenario.yaml" --paths 2000
for s in north-west-2017 england-2023; do
    check "$s" "$scenarios/$s/scenario.yaml" --paths 300
    check "$s-noise" "$scenarios/$s/scenario.yaml" --paths 300 --set noise=binomial
done
for f in "$scenarios"/whatifs/*.yaml; do
    w=$(basename "$f" .yaml)
    check "$w" "$f" --paths 200
    check "$w-noise" "$f" --paths 200 --set noise=binomial
done
echo "identity set: $same outputs the same, $differ different"
[ "$differ" -eq 0 ] || exit 1

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

case $workload in
W1)
    args=(run "$scenarios/north-west-2017/scenario.yaml" --paths 2000 --threads 2 --out "$work/t.csv")
    for _ in $(seq "$rounds"); do
        for side in old new; do
            b=$old; [ $side = new ] && b=$new
            t0=$(date +%s%N); "$b" "${args[@]}" >/dev/null || fail "${side^^}" W1; t1=$(date +%s%N)
            echo $(((t1 - t0) / 1000)) >> "$work/$side.times"  # microseconds
        done
    done
    mo=$(median < "$work/old.times") mn=$(median < "$work/new.times")
    awk -v o="$mo" -v n="$mn" -v r="$rounds" 'BEGIN {
        printf "W1, %d alternating runs each: old %.2f ms, new %.2f ms (medians); new / old %.3f\n", r, o / 1000, n / 1000, n / o }'
    ;;
W2 | W3)
    if [ "$workload" = W2 ]; then args=(run "$work/w2/scenario.yaml" --paths 2000)
    else args=(run "$work/w3/scenario.yaml" --paths 500); fi
    # timed SIDE BINARY [CPU...]: a one-thread run (on those CPUs), its user seconds to $work/SIDE.user
    timed() {
        local side=$1 bin=$2; shift 2
        /usr/bin/time -f %U -o "$work/$side.user" ${1:+taskset -c "$1"} "$bin" "${args[@]}" --threads 1 \
            --out "$work/$side.csv" >/dev/null
    }
    for i in $(seq "$rounds"); do
        # One binary on each core (swapped every round), or one after the other on one core.
        if [ "$(nproc)" -ge 2 ]; then
            if [ $((i % 2)) -eq 1 ]; then co=0 cn=1; else co=1 cn=0; fi
            timed old "$old" $co & po=$!
            timed new "$new" $cn & pn=$!
            wait $po || fail OLD "$workload"
            wait $pn || fail NEW "$workload"
        else
            timed old "$old" || fail OLD "$workload"
            timed new "$new" || fail NEW "$workload"
        fi
        read -r uo < "$work/old.user"; read -r un < "$work/new.user"
        echo "$uo" >> "$work/old.times"; echo "$un" >> "$work/new.times"
        awk -v o="$uo" -v n="$un" 'BEGIN { print n / o }' >> "$work/ratios"
        printf 'round %d: old %s s, new %s s of user time\n' "$i" "$uo" "$un"
    done
    mo=$(median < "$work/old.times") mn=$(median < "$work/new.times") mr=$(median < "$work/ratios")
    awk -v w="$workload" -v o="$mo" -v n="$mn" -v r="$mr" -v k="$rounds" 'BEGIN {
        printf "%s, %d rounds: old %.2f s, new %.2f s (medians); new / old %.3f, median of the rounds'"'"' ratios %.3f\n", w, k, o, n, n / o, r }'
    ;;
esac
