#!/usr/bin/env bash
# Load + validate + render a synthetic 10,000-question guide. Figures: docs/performance.md.
# Usage: bench/load.sh [QUESTIONS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/release"
questions=${1:-10000}
runs=${2:-5}
cargo build --release -p mastery-bench --bins
out=bench/out/synthetic-$questions
rm -rf "$out"
"$bin"/gen-guide "$out" "$questions"
"$bin"/bench-load "$out" "$runs"
