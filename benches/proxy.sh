#!/usr/bin/env bash
# Through a real socket: `GET /api/vortex/invitations/by-scope/team/n{10,100,1000}` via
# vortex-axum's router ("ours") against a hand-written axum route calling the official
# vortex-sdk 1.19 ("official"), both proxying to the same in-memory upstream (lists as
# vortex-mock writes them). All three are the release `proxy-server` binary (benches/src/bin),
# one tokio worker thread each, on loopback; `wrk` drives ours and official alternately,
# ROUNDS x SECONDS each per size, and the script prints requests/s and the ratio ours/official.
#
# Needs wrk (Debian):  apt-get install -y wrk
# Not part of CI (the official SDK pulls OpenSSL: `--features official`).
#
# Usage: benches/proxy.sh [sizes...]   (default: 10 100 1000;
#                                        env: ROUNDS=3 SECONDS_PER_RUN=5 CONNECTIONS=16)
# Exit status: 0 when run, 2 on setup failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-5}"
connections="${CONNECTIONS:-16}"
upstream_port="${UPSTREAM_PORT:-18440}"
ours_port="${OURS_PORT:-18441}"
official_port="${OFFICIAL_PORT:-18442}"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10 100 1000)

command -v wrk >/dev/null || { echo "proxy.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

echo "Building: cargo build --release -p vortex-benches --features official --bin proxy-server" >&2
cargo build --release -p vortex-benches --features official --bin proxy-server >&2
server="$root/target/release/proxy-server"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

upstream="http://127.0.0.1:$upstream_port"
"$server" upstream "$upstream_port" & pids+=("$!")
"$server" ours "$ours_port" "$upstream" & pids+=("$!")
"$server" official "$official_port" "$upstream" & pids+=("$!")

cat > "$work/get.lua" <<'LUA'
wrk.headers["x-user-id"] = "user-123"
LUA

# Wait (at most 30 s: the upstream first creates its lists through the mock) until both
# answer 200.
for port in "$ours_port" "$official_port"; do
    ok=""
    for _ in $(seq 300); do
        if curl -sf -H "x-user-id: user-123" "http://127.0.0.1:$port/api/vortex/invitations/by-scope/team/n10" -o /dev/null; then
            ok=1; break
        fi
        sleep 0.1
    done
    [[ -n "$ok" ]] || { echo "proxy.sh: server on $port is not answering" >&2; exit 2; }
done

run() { # port size -> requests/s
    wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/get.lua" \
        "http://127.0.0.1:$1/api/vortex/invitations/by-scope/team/n$2" \
        | awk '/^Requests\/sec:/ { print $2 }'
}

printf "\n=== GET by-scope through a socket, %d x %d s each, %d connections ===\n" "$rounds" "$seconds" "$connections"
for size in "${sizes[@]}"; do
    ours_total=0; official_total=0
    for round in $(seq "$rounds"); do
        o="$(run "$ours_port" "$size")"
        f="$(run "$official_port" "$size")"
        ours_total="$(echo "$ours_total + $o" | bc -l)"
        official_total="$(echo "$official_total + $f" | bc -l)"
    done
    printf "n=%-5d ours %10.0f req/s   official %10.0f req/s   ratio ours/official %.2fx\n" \
        "$size" "$(echo "$ours_total / $rounds" | bc -l)" "$(echo "$official_total / $rounds" | bc -l)" \
        "$(echo "$ours_total / $official_total" | bc -l)"
done
