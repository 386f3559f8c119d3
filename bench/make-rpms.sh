#!/usr/bin/env bash
# Writes COUNT real RPMs into DIR, once: bench/MakeRpms.java (Eclipse packager-rpm, the library
# the catalog reads headers with) run by Java's source launcher on the packaged app's libraries.
# rpmbuild costs 0.07 s per RPM on 2 cores (100,000 would take two hours); this about 1 ms.
# PACKAGES packages (default COUNT/100, at most 1,000) with COUNT/PACKAGES builds each.
# Checks a sample with rpm -qp, so the files are ones rpm itself reads.
# Usage: bench/make-rpms.sh DIR [COUNT [PACKAGES]]   (needs target/quarkus-app: ./mvnw package)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: make-rpms.sh DIR [COUNT [PACKAGES]]}
count=${2:-5000}
packages=${3:-}
mkdir -p "$dir"

count_rpms() { find "$dir" -maxdepth 1 -name '*.rpm' | wc -l; }

made=$(count_rpms)
if [ "$made" -ge "$count" ]; then echo "$dir already has $made RPMs"; exit 0; fi
lib="${BENCH_APP:-$here/target/quarkus-app}/lib/main"
[ -d "$lib" ] || { echo "make-rpms.sh: $lib is missing; run ./mvnw package -DskipTests -Dfrontend.skip" >&2; exit 1; }
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# shellcheck disable=SC2086
"$java" -Xmx512m -cp "$lib/*:$lib/../boot/*" "$here/bench/MakeRpms.java" "$dir" "$count" $packages
rmdir "$dir/.partial" 2>/dev/null || true
sample=$(find "$dir" -maxdepth 1 -name '*.rpm' | head -20)
# shellcheck disable=SC2086
HOME=$(mktemp -d) rpm -qp --nosignature --nodigest --qf '%{NEVRA}\n' $sample >/dev/null
echo "$dir: $(count_rpms) RPMs"
