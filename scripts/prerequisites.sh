#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed only when missing (idempotent, so every test run can call it):
# gcc (compiles the fake NVML library), Debian's chromium (the site's browser tests), Node.js/npm and the mock
# OpenAI-compatible server @dwmkerr/mock-llm (serving conformance against a server we did not write), and llama.cpp's
# llama-server built from a pinned source (scripts/build-llama-server.sh: cached under ~/.cache/siliconbench; the
# first build takes 12-20 min on 2 cores, later runs return at once), Debian's Slurm
# daemons and client with munge (campaign tests start their own single-node cluster in a temp folder; nothing in
# /etc is configured or started here), and kubernetes-models with yaml (an independent check of the rendered Jobs
# against the Kubernetes OpenAPI schema).
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v git >/dev/null 2>&1 || need+=(git)
# The packages' own services stay stopped in a container (policy-rc.d); the tests start the daemons themselves.
command -v slurmctld >/dev/null 2>&1 || need+=(slurmctld)
command -v slurmd >/dev/null 2>&1 || need+=(slurmd)
command -v sbatch >/dev/null 2>&1 || need+=(slurm-client)
command -v munged >/dev/null 2>&1 || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# One install of all three: npm prunes what a --no-save install does not name.
if { [ ! -f .ci/node_modules/@dwmkerr/mock-llm/dist/main.js ] || [ ! -f .ci/node_modules/kubernetes-models/package.json ] \
     || [ ! -f .ci/node_modules/yaml/package.json ]; } && command -v npm >/dev/null 2>&1; then
  (cd .ci && npm install --no-save --no-audit --no-fund --prefix . @dwmkerr/mock-llm@0.1.29 kubernetes-models@5.1.0 yaml@2.8.1 >/dev/null 2>&1)
fi
# A failed build is reported and leaves no binary: the llama.cpp tests then skip, saying why.
./scripts/build-llama-server.sh || echo "prerequisites: llama-server was not built; its tests will skip" >&2
exit 0
