#!/usr/bin/env bash
# Runs the in-process `router` bench (no socket; no `official` feature needed) and prints,
# per framework and route, the Vortex router ("ours") against the hand-written handler of the
# same framework, in ns per request, and the difference; then whether axum's `/jwt`
# difference is within the target (<= 1000 ns).
#
# Two figures per pair:
#   paired:    each side's fastest batch of 100 requests, batches alternating (40 rounds):
#              the robust figure on a loaded machine, and the one the target is checked on;
#   criterion: criterion's median ns/iter (bencher format).
#
# Raw output: target/vortex-benches-router.log.
# Usage: benches/router.sh [extra criterion args, e.g. a name filter such as jwt/axum]
# Exit status: 0 when the target is met, 1 when missed, 2 when the bench failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log="$root/target/vortex-benches-router.log"
mkdir -p "$(dirname "$log")"

echo "Running: cargo bench -p vortex-benches --bench router -- --noplot --output-format bencher $*" >&2
if ! cargo bench -p vortex-benches --bench router -- --noplot --output-format bencher "$@" | tee "$log"; then
    echo "router.sh: the bench failed (log: $log)" >&2
    exit 2
fi

awk '
    # "paired jwt/axum: ours 3100 ns/request, hand 2500 ns/request, difference +600 ns"
    /^paired / {
        name = $2; sub(/:$/, "", name)
        paired_ours[name] = $4 + 0; paired_hand[name] = $7 + 0
        order[++n] = name
    }
    /^test / { test = $2 }
    /bench:/ {
        line = $0; sub(/.*bench: */, "", line); split(line, parts, " ")
        value = parts[1]; gsub(/,/, "", value)
        crit[test] = value + 0
    }
    END {
        print ""
        print "=== Vortex router (ours) vs hand-written handler, ns per request ==="
        printf "%-18s %10s %10s %10s   %10s %10s %10s\n", "", "ours", "hand", "diff", "crit ours", "crit hand", "crit diff"
        for (i = 1; i <= n; i++) {
            name = order[i]
            o = paired_ours[name]; h = paired_hand[name]
            co = crit[name "/ours"]; ch = crit[name "/hand"]
            if ((name "/ours") in crit && (name "/hand") in crit)
                printf "%-18s %10d %10d %+10d   %10d %10d %+10d\n", name, o, h, o - h, co, ch, co - ch
            else
                printf "%-18s %10d %10d %+10d   %10s %10s %10s\n", name, o, h, o - h, "-", "-", "-"
        }
        print ""
        if (!("jwt/axum" in paired_ours)) { print "jwt/axum not measured"; exit 2 }
        diff = paired_ours["jwt/axum"] - paired_hand["jwt/axum"]
        ok = diff <= 1000
        printf "axum /jwt: the router adds %d ns per request (target <= 1000 ns): %s\n", diff, ok ? "PASS" : "MISS"
        exit ok ? 0 : 1
    }
' "$log"
