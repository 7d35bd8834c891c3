#!/usr/bin/env bash
# Runs every test project and ends with the one line CI reads: "tests: N passed, N failed, N skipped".
# Counts come from the TRX files dotnet test writes, summed over projects.
set -uo pipefail
cd "$(dirname "$0")/.."
# gcc, chromium, Node.js and the mock OpenAI server, installed when missing.
./scripts/prerequisites.sh
results=artifacts/test-results
rm -rf "$results"
# Exit code 8 (a test project with no tests yet) is not a failure; counts still come from the TRX files.
# One test project at a time: the tests against llama-server compare TPOT with the server's own timing to 0.05 ms,
# which two cores shared with another project's engines and browser cannot hold (seen: 0.07-0.48 ms in parallel).
dotnet test --solution SiliconBench.sln -c Release --results-directory "$results" --ignore-exit-code 8 --max-parallel-test-modules 1 "$@"
rc=$?
passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
# Each test project writes <project>.trx (tests/Directory.Build.props); one missing is a project whose tests went uncounted.
expected=$(grep -l '<IsTestProject>true</IsTestProject>' tests/*/*.csproj | wc -l)
found=$(ls "$results"/*.trx 2>/dev/null | wc -l)
if [ "$found" -lt "$expected" ]; then
  echo "only $found of $expected test projects wrote results to $results"
  failed=$((failed + expected - found))
fi
# A build or runner failure produces no TRX at all: count it as a failure, never as "0 failed".
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
