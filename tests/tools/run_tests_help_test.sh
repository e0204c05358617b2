#!/usr/bin/env bash
# tools/run-tests --help prints its Chinese usage and exits 0 without building
# anything (it once took --help for a build folder); an unknown option exits 2.
#   run_tests_help_test.sh SOURCE_DIR
set -euo pipefail
src=$1
out=$(timeout 10 "$src/tools/run-tests" --help)
grep -q '^用法：tools/run-tests \[构建目录\]' <<<"$out" || { echo "no Chinese usage: $out"; exit 1; }
[ ! -e "$src/--help" ] || { echo "run-tests made a folder --help"; exit 1; }
set +e
err=$(timeout 10 "$src/tools/run-tests" --bogus 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" = 2 ] || { echo "run-tests --bogus exited $rc"; exit 1; }
grep -q '不认识的选项 `--bogus`' <<<"$err" || { echo "unexpected: $err"; exit 1; }
echo ok
