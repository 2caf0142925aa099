#!/usr/bin/env bash
# Builds the libFuzzer target for the scenario loader and CSV reader and fuzzes it for SECONDS
# (default 60) from the seed corpus. A crash leaves crash-* in Tests/Fuzz/findings and exits
# non-zero; turn it into a case in Tests/Corpus (or a unit test) before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
swift build -c release --scratch-path ../../.build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
    --product FuzzScenario > /tmp/workforce-fuzz-build.log 2>&1 || { tail -30 /tmp/workforce-fuzz-build.log; exit 1; }
mkdir -p findings work-corpus
cp -n seeds/* work-corpus/ 2>/dev/null || true
../../.build-fuzz/release/FuzzScenario work-corpus -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=4096 -artifact_prefix=findings/ -print_final_stats=1 > /tmp/workforce-fuzz.log 2>&1 || {
    tail -40 /tmp/workforce-fuzz.log; echo "fuzz: a crash was found; see Tests/Fuzz/findings"; exit 1; }
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" /tmp/workforce-fuzz.log | tr '\n' ' '
echo "fuzz: no crash in ${seconds} s"
