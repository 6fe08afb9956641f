#!/usr/bin/env bash
# A 2-silo + 2-gateway DosAi cluster on loopback, with PostgreSQL from Debian's binaries in a temp folder.
#   deploy/local-cluster.sh start    build, start PostgreSQL, 2 silos, 2 client gateways; wait until ready
#   deploy/local-cluster.sh stop     stop gateways and silos gracefully (write-behind flushes), then PostgreSQL
#   deploy/local-cluster.sh status
# Environment: Admin__Token (default change-me), Upstream__BaseUrl (default http://127.0.0.1:8000),
# DOSAI_CLUSTER_DIR (default /tmp/dosai-local-cluster), DOSAI_PG_PORT (55432), DOSAI_GATEWAY_PORTS ("8080 8081").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${DOSAI_CLUSTER_DIR:-/tmp/dosai-local-cluster}
PG_PORT=${DOSAI_PG_PORT:-55432}
read -r -a GATEWAY_PORTS <<< "${DOSAI_GATEWAY_PORTS:-8080 8081}"
SILO_PORTS=(11111 11112)
SILO_GATEWAY_PORTS=(30000 30001)
CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=dosai"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$dir/initdb" ] || { echo "PostgreSQL not found: apt-get install -y postgresql" >&2; exit 1; }
  echo "$dir"
}

# initdb and the server refuse to run as root: run them as the postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_node() { # name, dll, then extra arguments; environment comes from the caller
  local name=$1 dll=$2
  shift 2
  # cd on its own line: "cd && nohup … &" would background a subshell and record its pid, not dotnet's.
  (
    cd "$(dirname "$dll")"
    # Server tiering, as in deploy/Dockerfile.gateway.
    DOTNET_TC_QuickJit=1 DOTNET_TC_CallCountingDelayMs=0 nohup dotnet "$dll" "$@" > "$STATE/$name.log" 2>&1 < /dev/null &
    echo $! > "$STATE/$name.pid"
  )
}

start() {
  if [ -e "$STATE/postgres" ]; then echo "already started ($STATE); run stop first" >&2; exit 1; fi
  echo "building (Release)…"
  # No build servers: they would outlive the script holding its output open.
  dotnet build "$ROOT/src/Silo" -c Release -v quiet -nologo --disable-build-servers > /dev/null
  dotnet build "$ROOT/src/Gateway" -c Release -v quiet -nologo --disable-build-servers > /dev/null

  local bin
  bin=$(pg_bin)
  mkdir -p "$STATE/postgres"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$STATE/postgres"
  as_pg "$bin/initdb" -D "$STATE/postgres/data" -U postgres -A trust -E UTF8 > "$STATE/initdb.log"
  # Trust authentication, so listen on loopback only.
  as_pg "$bin/pg_ctl" -D "$STATE/postgres/data" -l "$STATE/postgres/server.log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $STATE/postgres" start > /dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "CREATE DATABASE dosai"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT"

  export Cluster__ConnectionString="$CONNECTION" Cluster__AdvertisedAddress=127.0.0.1
  export Admin__Token=${Admin__Token:-change-me} Upstream__BaseUrl=${Upstream__BaseUrl:-http://127.0.0.1:8000}
  local silo="$ROOT/src/Silo/bin/Release/net10.0/DosAi.Orleans.Silo.dll"
  local gateway="$ROOT/src/Gateway/bin/Release/net10.0/DosAi.Orleans.Gateway.dll"
  for i in 0 1; do
    Cluster__SiloPort=${SILO_PORTS[$i]} Cluster__GatewayPort=${SILO_GATEWAY_PORTS[$i]} start_node "silo-$((i + 1))" "$silo"
  done
  for i in "${!GATEWAY_PORTS[@]}"; do
    Cluster__Mode=Client start_node "gateway-$((i + 1))" "$gateway" --urls "http://127.0.0.1:${GATEWAY_PORTS[$i]}"
  done

  for port in "${GATEWAY_PORTS[@]}"; do
    for _ in $(seq 1 240); do
      curl -fs "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break
      sleep 0.5
    done
    curl -fs "http://127.0.0.1:$port/readyz" > /dev/null || { echo "gateway on $port not ready; logs in $STATE" >&2; exit 1; }
    echo "gateway ready on http://127.0.0.1:$port"
  done
  echo "logs and pids in $STATE; stop with: $0 stop"
}

stop() {
  local pid
  for name in gateway-1 gateway-2 silo-1 silo-2; do
    [ -f "$STATE/$name.pid" ] || continue
    pid=$(cat "$STATE/$name.pid")
    # SIGTERM: the host stops gracefully, silos flush write-behind state and leave the membership.
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2> /dev/null || true
    rm -f "$STATE/$name.pid"
  done
  if [ -d "$STATE/postgres/data" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$STATE/postgres/data" -m fast -w stop > /dev/null || true
  fi
  rm -rf "$STATE"
  echo "stopped"
}

status() {
  for name in silo-1 silo-2 gateway-1 gateway-2; do
    if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2> /dev/null; then echo "$name running"; else echo "$name stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
