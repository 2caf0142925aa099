#!/usr/bin/env bash
# Installs what is missing (OpenBLAS and LAPACKE from Debian), builds the release binary and runs
# the shipped North West scenario to out/north-west-2017.csv.
set -euo pipefail
cd "$(dirname "$0")"

.ci/install-packages

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift 6 toolchain is needed (https://www.swift.org/install/linux/)" >&2
    exit 1
fi

.ci/build-release
mkdir -p out
.build/release/workforce validate Scenarios/north-west-2017/scenario.yaml
.build/release/workforce run Scenarios/north-west-2017/scenario.yaml --paths 1000 --out out/north-west-2017.csv
echo "setup: wrote out/north-west-2017.csv ($(($(wc -l < out/north-west-2017.csv) - 1)) rows)"
echo "setup: the tool is .build/release/workforce; run 'swift test --disable-swift-testing' for the tests"
