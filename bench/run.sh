#!/usr/bin/env bash
# The one bench command: installs the peers it needs when missing, builds in Release, runs the suite.
# Every argument goes to the runner (see bench/README.md); --smoke needs only .NET.
# BENCH_CONFIGURATION=Debug reuses a Debug build (CI's smoke, right after the tests built it).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
tools="$bench/.tools"
configuration=${BENCH_CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

smoke=false
for arg in "$@"; do
  [ "$arg" = "--smoke" ] && smoke=true
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

install_debian_packages() {
  local need=()
  command -v wrk >/dev/null || need+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v npm >/dev/null || need+=(nodejs npm)
  # The exactness suite's cluster run: PostgreSQL from Debian's binaries, started in a temp folder.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  [ ${#need[@]} -eq 0 ] && return
  # Debian's postinst would start a system nginx on port 80; policy-rc.d 101 forbids that during the install.
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$guard" >/dev/null
    $sudo chmod +x "$guard"
  fi
  local names=("${need[@]/#nginx/nginx-light}")
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${names[@]}"; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}"
  fi
  [ -n "$guard" ] && $sudo rm -f "$guard"
  return 0
}

install_portkey() {
  local start="$tools/portkey/node_modules/@portkey-ai/gateway/build/start-server.js"
  [ -f "$start" ] && return
  mkdir -p "$tools/portkey"
  npm install --prefix "$tools/portkey" --no-audit --no-fund --loglevel=error @portkey-ai/gateway@1.15.2
}

if ! $smoke; then
  install_debian_packages
  install_portkey
fi

build_log=$(mktemp)
for project in "$bench/Upstream" "$bench/BareYarp" "$bench/Runner" "$root/src/Gateway" "$root/src/Silo"; do
  if ! dotnet build "$project" -c "$configuration" -v quiet -nologo >"$build_log" 2>&1; then
    cat "$build_log"
    exit 1
  fi
done
rm -f "$build_log"

exec dotnet "$bench/Runner/bin/$configuration/net10.0/DosAi.Orleans.Bench.Runner.dll" \
  --root "$root" --tools "$tools" --configuration "$configuration" "$@"
