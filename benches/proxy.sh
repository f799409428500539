#!/usr/bin/env bash
# Through a real socket, side by side in one run:
# `GET /api/vortex/invitations/by-scope/team/n{10,100,1000}` (10, 100, 1,000 invitations) via
#
# - "demo":     the axum demo (release build, signed in as the admin with its session cookie,
#               its own logging, metrics and timeouts), configured with VORTEX_API_KEY and
#               VORTEX_API_BASE_URL pointing at the upstream below;
# - "ours":     vortex-axum's router alone (release `proxy-server ours`, user from a header);
# - "official": a hand-written axum route calling the official `vortex-sdk` 1.19
#               (`proxy-server official`);
# - "express":  Express 5 with a hand-written route calling the official Node SDK 0.20
#               (benches/express; skipped with a message without node and npm),
#
# all proxying to the same upstream (`proxy-server upstream`), which answers the lists from
# memory as `vortex-mock` writes them. The Rust servers are all built with the workspace's
# release profile (fat LTO, one codegen unit) and run tokio's default multi-threaded
# runtime (set TOKIO_WORKER_THREADS to change their worker count alike); `wrk` drives each
# server in turn, ROUNDS x SECONDS each per size, and the script prints the best round's
# requests/s of each and the ratios of the demo to the others.
#
# Needs wrk (Debian):  apt-get install -y wrk
# Not part of CI (the official SDK pulls OpenSSL: `--features official`).
#
# Usage: benches/proxy.sh [sizes...]   (default: 10 100 1000;
#                                        env: ROUNDS=2 SECONDS_PER_RUN=5 CONNECTIONS=16)
# Exit status: 0 when run, 2 on setup failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${ROUNDS:-2}"
seconds="${SECONDS_PER_RUN:-5}"
connections="${CONNECTIONS:-16}"
upstream_port="${UPSTREAM_PORT:-18440}"
ours_port="${OURS_PORT:-18441}"
official_port="${OFFICIAL_PORT:-18442}"
demo_port="${DEMO_PORT:-18443}"
express_port="${EXPRESS_PORT:-18444}"
key="VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10 100 1000)

command -v wrk >/dev/null || { echo "proxy.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

echo "Building: cargo build --release -p vortex-benches --features official --bin proxy-server; cargo build --release -p axum-demo" >&2
cargo build --release -p vortex-benches --features official --bin proxy-server >&2
cargo build --release -p axum-demo >&2
target="${CARGO_TARGET_DIR:-$root/target}/release"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

upstream="http://127.0.0.1:$upstream_port"
"$target/proxy-server" upstream "$upstream_port" & pids+=("$!")
"$target/proxy-server" ours "$ours_port" "$upstream" & pids+=("$!")
"$target/proxy-server" official "$official_port" "$upstream" & pids+=("$!")
PORT="$demo_port" VORTEX_API_KEY="$key" VORTEX_API_BASE_URL="$upstream" \
    "$target/axum-demo" 2>"$work/demo.log" & pids+=("$!")
servers=(demo ours official)

if command -v node >/dev/null && command -v npm >/dev/null; then
    (cd benches/express && npm ci --no-audit --no-fund --silent >&2)
    node benches/express/server.js "$express_port" "$upstream" & pids+=("$!")
    servers+=(express)
else
    echo "proxy.sh: node or npm is missing: Express is not measured" >&2
fi

port_of() {
    case "$1" in
        demo) echo "$demo_port" ;; ours) echo "$ours_port" ;;
        official) echo "$official_port" ;; express) echo "$express_port" ;;
    esac
}

path() { echo "/api/vortex/invitations/by-scope/team/n$1"; }

# Wait (at most 30 s: the upstream first creates its lists through the mock) until each
# server answers 200; the demo after signing in as the admin.
for server in "${servers[@]}"; do
    port="$(port_of "$server")"
    ok=""
    for _ in $(seq 300); do
        if [[ "$server" == demo ]]; then
            curl -sf -c "$work/cookies" -H 'content-type: application/json' \
                -d '{"email":"admin@example.com","password":"password123"}' \
                "http://127.0.0.1:$port/api/auth/login" -o /dev/null || { sleep 0.1; continue; }
        fi
        if curl -sf -b "$work/cookies" -H "x-user-id: user-123" \
            "http://127.0.0.1:$port$(path 10)" -o "$work/$server.json" 2>/dev/null; then
            ok=1; break
        fi
        sleep 0.1
    done
    [[ -n "$ok" ]] || { echo "proxy.sh: $server on $port is not answering" >&2; exit 2; }
done
cookie="$(awk '$0 !~ /^#/ || /^#HttpOnly_/ { if (NF >= 7) printf "%s=%s", $6, $7 }' "$work/cookies")"
[[ -n "$cookie" ]] || { echo "proxy.sh: the demo set no session cookie" >&2; exit 2; }
cat > "$work/get.lua" <<LUA
wrk.headers["x-user-id"] = "user-123"
wrk.headers["cookie"] = "$cookie"
LUA

run() { # server size -> requests/s
    wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/get.lua" \
        "http://127.0.0.1:$(port_of "$1")$(path "$2")" \
        | awk '/^Requests\/sec:/ { print $2 }'
}

max() { echo "if ($1 > $2) $1 else $2" | bc -l; }
ratio() { echo "$1 / $2" | bc -l; }

printf "\n=== GET by-scope through a socket: best of %d x %d s, %d connections ===\n" \
    "$rounds" "$seconds" "$connections"
printf "%-6s" "n"
for server in "${servers[@]}"; do printf " %12s" "$server"; done
printf "   %s\n" "(requests/s)   demo/official   ours/official   demo/express"
for size in "${sizes[@]}"; do
    declare -A best=()
    for server in "${servers[@]}"; do best[$server]=0; done
    for _ in $(seq "$rounds"); do
        for server in "${servers[@]}"; do
            best[$server]="$(max "${best[$server]}" "$(run "$server" "$size")")"
        done
    done
    printf "%-6d" "$size"
    for server in "${servers[@]}"; do printf " %12.0f" "${best[$server]}"; done
    printf "   %13.2fx   %13.2fx" "$(ratio "${best[demo]}" "${best[official]}")" \
        "$(ratio "${best[ours]}" "${best[official]}")"
    if [[ -n "${best[express]:-}" ]]; then
        printf "   %11.2fx" "$(ratio "${best[demo]}" "${best[express]}")"
    fi
    printf "\n"
    unset best
done
