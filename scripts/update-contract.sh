#!/usr/bin/env bash
# Regenerates the contract files generated from code (schemas/*.json, docs/metrics.md) after a change that moves
# them (a new metric, a new record field, a new loader key): the drift tests write instead of comparing.
set -euo pipefail
cd "$(dirname "$0")/.."
SILICONBENCH_UPDATE_CONTRACT=1 dotnet test --project tests/SiliconBench.Core.Tests -c Release -- --filter-namespace 'SiliconBench.Tests.Contract'
git status --short schemas docs
