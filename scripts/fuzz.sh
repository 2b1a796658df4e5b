#!/bin/sh
# Runs libFuzzer harnesses (`make fuzz`, Docs/FUZZING.md): scripts/fuzz.sh BINARY [NAME ...].
# Each harness runs FUZZ_SECONDS (default 60) from Fuzz/corpus/NAME, adding what it finds to
# .build/fuzz-corpus/NAME; a crash input lands in .build/fuzz-crashes/NAME-crash-*. Prints one
# line per harness (executions, executions per second, corpus size) and fails if any crashed.
set -u
bin="$1"
shift
seconds="${FUZZ_SECONDS:-60}"
if [ "$#" -eq 0 ]; then
  set -- $(ls Fuzz/corpus)
fi
mkdir -p .build/fuzz-crashes .build/fuzz-logs
failed=""
for name in "$@"; do
  mkdir -p ".build/fuzz-corpus/$name"
  log=".build/fuzz-logs/$name.log"
  # SWIFT_BACKTRACE=enable=no: libFuzzer and ASan report a crash; Swift's backtracer would
  # only add noise after them.
  SWIFT_BACKTRACE=enable=no WAGGLE_FUZZ_TARGET="$name" "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=".build/fuzz-crashes/$name-" ".build/fuzz-corpus/$name" "Fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  units=$(ls ".build/fuzz-corpus/$name" | wc -l)
  if [ "$rc" -eq 0 ]; then
    printf '%-20s %10s runs %8s exec/s  %5s new corpus inputs\n' "$name" "${runs:-?}" "${rate:-?}" "$units"
  else
    printf '%-20s CRASH (exit %s); see %s and .build/fuzz-crashes/\n' "$name" "$rc" "$log"
    grep -E "invariant broken|ERROR: AddressSanitizer|Fatal error|SUMMARY" "$log" | head -5
    failed="$failed $name"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz: crashes in:$failed"
  exit 1
fi
