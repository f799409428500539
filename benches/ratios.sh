#!/usr/bin/env bash
# Runs the `signing` criterion bench and prints, for each ours/official pair, both timings
# and the ratio against its target:
#
#   generate_jwt, generate_token, sign:  official / ours  >= 5.0   (we are 5x faster)
#   webhook_verify/{1KiB,64KiB}:         ours / bare_hmac <= 1.2   (within 20% of raw HMAC)
#
# Timings are criterion's median ns/iter (bencher output format). The raw bench output is
# kept in target/vortex-benches-ratios.log.
#
# Usage: benches/ratios.sh [extra criterion args, e.g. a name filter]
# Exit status: 0 when every target is met, 1 when one is missed, 2 when the bench failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log="$root/target/vortex-benches-ratios.log"
mkdir -p "$(dirname "$log")"

echo "Running: cargo bench -p vortex-benches --features official --bench signing -- --noplot --output-format bencher $*" >&2
if ! cargo bench -p vortex-benches --features official --bench signing -- --noplot --output-format bencher "$@" \
    | tee "$log"; then
    echo "ratios.sh: the bench failed (log: $log)" >&2
    exit 2
fi

# "test <name> ... bench:       1,234 ns/iter (+/- 56)", possibly with criterion warnings
# printed between the name and the figure: remember the last name seen.
awk '
    /^test / { name = $2 }
    /bench:/ {
        line = $0
        sub(/.*bench: */, "", line)
        split(line, parts, " ")
        value = parts[1]
        gsub(/,/, "", value)
        if (parts[2] != "ns/iter") { printf "skipping %s: unexpected unit %s\n", name, parts[2] > "/dev/stderr"; next }
        ns[name] = value + 0
    }
    function row(label, a_name, b_name, cmp, target,    a, b, ratio, ok) {
        if (!(a_name in ns) || !(b_name in ns)) {
            printf "%-22s  (not run)\n", label
            return
        }
        a = ns[a_name]; b = ns[b_name]
        if (cmp == "ge") {
            # official / ours
            ratio = a / b
            ok = ratio >= target
            printf "%-22s  ours %10d ns  official %10d ns  official/ours %6.2fx  target >= %.1fx  %s\n", \
                label, b, a, ratio, target, ok ? "PASS" : "MISS"
        } else {
            # ours / bare
            ratio = a / b
            ok = ratio <= target
            printf "%-22s  ours %10d ns  bare     %10d ns  ours/bare     %6.2fx  target <= %.1fx  %s\n", \
                label, a, b, ratio, target, ok ? "PASS" : "MISS"
        }
        if (!ok) missed++
    }
    END {
        print ""
        print "=== vortex-client (ours) vs vortex-sdk 1.19.0 (official), median ns/iter ==="
        row("generate_jwt", "generate_jwt/official", "generate_jwt/ours", "ge", 5.0)
        row("generate_token", "generate_token/official", "generate_token/ours", "ge", 5.0)
        row("sign", "sign/official", "sign/ours", "ge", 5.0)
        row("webhook_verify/1KiB", "webhook_verify/1KiB/ours", "webhook_verify/1KiB/bare_hmac", "le", 1.2)
        row("webhook_verify/64KiB", "webhook_verify/64KiB/ours", "webhook_verify/64KiB/bare_hmac", "le", 1.2)
        if (("generate_jwt/official" in ns) && ("generate_jwt/ours_new_second" in ns))
            printf "%-22s  ours %10d ns  official %10d ns  official/ours %6.2fx  (header cache missed on every call; no target)\n", \
                "generate_jwt, cold", ns["generate_jwt/ours_new_second"], ns["generate_jwt/official"], \
                ns["generate_jwt/official"] / ns["generate_jwt/ours_new_second"]
        print ""
        print "Webhook verify, official vs ours (no target; official hex-encodes with format! per byte):"
        for (i = 1; i <= 2; i++) {
            size = i == 1 ? "1KiB" : "64KiB"
            o = "webhook_verify/" size "/official"; u = "webhook_verify/" size "/ours"
            if ((o in ns) && (u in ns))
                printf "%-22s  ours %10d ns  official %10d ns  official/ours %6.2fx\n", \
                    "webhook_verify/" size, ns[u], ns[o], ns[o] / ns[u]
        }
        print ""
        if (missed) { printf "%d target(s) missed\n", missed; exit 1 }
        print "all targets met"
    }
' "$log"
