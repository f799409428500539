#!/usr/bin/env bash
# Through a real socket, side by side in one run: `POST /api/vortex/jwt` via vortex-axum's
# router ("ours") against a hand-written axum route calling the official vortex-sdk 1.19
# ("official"). Both servers are the release `jwt-server` binary (benches/src/bin), one tokio
# worker thread each, on loopback; `wrk` drives them alternately, ROUNDS x SECONDS each, and
# the script prints the requests/s of both and the ratio ours/official (target >= 1.1).
#
# Needs wrk (Debian):  apt-get install -y wrk
# Not part of CI (the official SDK pulls OpenSSL: `--features official`).
#
# Usage: benches/socket.sh            (env: ROUNDS=3 SECONDS_PER_RUN=5 CONNECTIONS=32)
# Exit status: 0 when the ratio is met, 1 when missed, 2 on setup failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-5}"
connections="${CONNECTIONS:-32}"
ours_port="${OURS_PORT:-18431}"
official_port="${OFFICIAL_PORT:-18432}"

command -v wrk >/dev/null || { echo "socket.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

echo "Building: cargo build --release -p vortex-benches --features official --bin jwt-server" >&2
cargo build --release -p vortex-benches --features official --bin jwt-server >&2
server="$root/target/release/jwt-server"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

"$server" ours "$ours_port" & pids+=("$!")
"$server" official "$official_port" & pids+=("$!")

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["x-user-id"] = "user-123"
LUA

# Wait (at most 5 s) until both answer 200, and show one answer of each.
for port in "$ours_port" "$official_port"; do
    for _ in $(seq 50); do
        if curl -sf -X POST -H "x-user-id: user-123" "http://127.0.0.1:$port/api/vortex/jwt" -o "$work/answer"; then
            break
        fi
        sleep 0.1
    done
    curl -sf -D - -X POST -H "x-user-id: user-123" "http://127.0.0.1:$port/api/vortex/jwt" -o /dev/null \
        | grep -i "cache-control" >/dev/null || { echo "socket.sh: server on $port is not answering /jwt" >&2; exit 2; }
done

run() { # port -> requests/s
    wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$1/api/vortex/jwt" \
        | awk '/^Requests\/sec:/ { print $2 }'
}

ours_total=0; official_total=0
for round in $(seq "$rounds"); do
    o="$(run "$ours_port")"
    f="$(run "$official_port")"
    printf "round %d: ours %10.0f req/s   official %10.0f req/s   ratio %.2fx\n" "$round" "$o" "$f" "$(echo "$o / $f" | bc -l)"
    ours_total="$(echo "$ours_total + $o" | bc -l)"
    official_total="$(echo "$official_total + $f" | bc -l)"
done

ratio="$(echo "$ours_total / $official_total" | bc -l)"
printf "\n=== POST /api/vortex/jwt through a socket, %d x %d s each, %d connections ===\n" "$rounds" "$seconds" "$connections"
printf "ours (vortex-axum router)          %10.0f req/s\n" "$(echo "$ours_total / $rounds" | bc -l)"
printf "official (axum + vortex-sdk 1.19)  %10.0f req/s\n" "$(echo "$official_total / $rounds" | bc -l)"
if (( $(echo "$ratio >= 1.1" | bc -l) )); then verdict=PASS; else verdict=MISS; fi
printf "ratio ours/official                %10.2fx   (target >= 1.10x)  %s\n" "$ratio" "$verdict"
[[ "$verdict" == PASS ]]
