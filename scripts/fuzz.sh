#!/usr/bin/env bash
# Runs each fuzz target for N minutes (default 10), one after another:
#   scripts/fuzz.sh [MINUTES] [TARGET...]
# Needs cargo-fuzz (installed here when missing). The project's toolchain is stable, so
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the sanitizer flags. Each target starts from its
# kept inputs (fuzz/regressions/<target>/); a crash is copied there, which makes it a
# regression test (tests/fuzz_regressions.rs) once its fix lands. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
minutes="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(alertmanager_answers config escalation theme filter palette sanitize)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  cp -n regressions/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "== $t: ${minutes} min"
  if cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time=$((minutes * 60)) \
      -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 2>"artifacts/$t.log"; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "artifacts/$t.log" || true
    tail -n 1 "artifacts/$t.log"
  else
    status=1
    echo "!! $t crashed:"; grep -E "panicked|ERROR|SUMMARY" "artifacts/$t.log" | head -5
    for a in artifacts/"$t"/*; do
      [ -f "$a" ] && cp "$a" "regressions/$t/" && echo "   kept as regressions/$t/$(basename "$a")"
    done
  fi
done
exit $status
