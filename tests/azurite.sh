#!/usr/bin/env bash
# Starts Azurite's blob service on a free loopback port with a throw-away data folder.
# Source it, then: start_azurite NAME [extra azurite flags...]; it exports AZURITE_<NAME>_PORT.
# Everything started is stopped by stop_services (tests/run traps EXIT with it).

SERVICE_PIDS=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# --disableTelemetry: Azurite otherwise sends usage data to an outside host; everything the
# tests start talks to loopback only.
start_azurite() {
  local name=$1; shift
  local port dir
  port=$(free_port)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/azurite-$name.XXXXXX")
  "$ROOT/tests/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --location "$dir" --silent --skipApiVersionCheck --disableTelemetry "$@" >"$dir/azurite.out" 2>&1 &
  SERVICE_PIDS+=($!)
  SERVICE_DIRS+=("$dir")
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      export "AZURITE_${name}_PORT=$port"
      echo "[azurite] $name on 127.0.0.1:$port" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "[azurite] $name did not start:" >&2
  cat "$dir/azurite.out" >&2
  return 1
}

stop_services() {
  for pid in "${SERVICE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for dir in "${SERVICE_DIRS[@]}"; do rm -rf "$dir"; done
  SERVICE_PIDS=()
  SERVICE_DIRS=()
}
SERVICE_DIRS=()
