#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed only when missing (idempotent, so every test run can call it):
# gcc (compiles the fake NVML library), Debian's chromium (the site's browser tests), Node.js/npm and the mock
# OpenAI-compatible server @dwmkerr/mock-llm (serving conformance against a server we did not write), and llama.cpp's
# llama-server built from a pinned source (scripts/build-llama-server.sh: cached under ~/.cache/siliconbench; the
# first build takes 12-20 min on 2 cores, later runs return at once).
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -f .ci/node_modules/@dwmkerr/mock-llm/dist/main.js ] && command -v npm >/dev/null 2>&1; then
  (cd .ci && npm install --no-save --no-audit --no-fund --prefix . @dwmkerr/mock-llm@0.1.29 >/dev/null 2>&1)
fi
# A failed build is reported and leaves no binary: the llama.cpp tests then skip, saying why.
./scripts/build-llama-server.sh || echo "prerequisites: llama-server was not built; its tests will skip" >&2
exit 0
