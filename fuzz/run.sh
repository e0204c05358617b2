#!/bin/sh
# fuzz/run.sh DIR SECONDS [TARGET...]
# Builds the libFuzzer targets with clang (address + undefined sanitizers) in
# build tree DIR and runs each target (default: all six) for SECONDS with its
# committed seed corpus (fuzz/corpus/<target>, read-only: new inputs go to
# DIR/corpus/<target>) and its past crashes (fuzz/regressions/<target>).
# Prints the executions per target; a crash is left in DIR/artifacts/<target>/
# and makes the script exit 1 after the remaining targets ran.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [request|config|trace|snapshot|http|citizen ...]" >&2
  exit 2
fi
dir=$1
seconds=$2
shift 2
targets=${*:-request config trace snapshot http citizen}
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_FLAGS="$san -fno-omit-frame-pointer" \
    -DHALLQ_BUILD_FUZZ=ON -DHALLQ_BUILD_BENCH=OFF >"$dir.cmake.log" 2>&1 ||
    { cat "$dir.cmake.log" >&2; exit 1; }
fi
build=""
for t in $targets; do build="$build hallq_fuzz_$t"; done
# All of them: one goal (several are built one after the other by make).
[ $# -eq 0 ] && build=hallq_fuzz_all
# shellcheck disable=SC2086
nice make -C "$dir" -j"$jobs" $build >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log" >&2; exit 1; }

status=0
summary=""
for t in $targets; do
  mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
  log="$dir/fuzz-$t.log"
  # http keeps state between inputs (fuzz/http_fuzz.cc): libFuzzer's leak
  # check after every input whose allocations do not balance would run after
  # nearly each (leaks are still reported when the process exits); and its
  # inputs reach so many rare features that the entropic schedule's upkeep
  # cost more than half the time (937 vs 2,142 execs/s, same coverage after
  # 15,000 runs).
  extra=""
  [ "$t" = http ] && extra="-detect_leaks=0 -entropic=0"
  set +e
  # shellcheck disable=SC2086
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$dir/fuzz/hallq_fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 $extra \
    -timeout=10 -max_len=65536 -artifact_prefix="$dir/artifacts/$t/" \
    "$dir/corpus/$t" "$src/fuzz/corpus/$t" "$src/fuzz/regressions/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ $rc -ne 0 ]; then
    status=1
    line=$(printf '%-9s CRASH (exit %s) after %s executions; see %s and %s' "$t" "$rc" "${execs:-?}" "$log" "$dir/artifacts/$t/")
  else
    line=$(printf '%-9s %10s executions in %ss (%s/s), coverage %s, corpus %s files' "$t" "${execs:-?}" "$seconds" \
      "${rate:-?}" "${cov:-?}" "$(ls "$dir/corpus/$t" | wc -l)")
  fi
  echo "$line"
  summary="$summary$line
"
done
exit $status
