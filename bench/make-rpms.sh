#!/usr/bin/env bash
# Writes COUNT real RPMs into DIR with rpmbuild: SPECS specs, each with many subpackages
# (one rpmbuild run makes a whole batch, so 5,000 packages take minutes, not an hour).
# Usage: bench/make-rpms.sh DIR [COUNT]
set -euo pipefail
dir=${1:?usage: make-rpms.sh DIR [COUNT]}
count=${2:-5000}
per_spec=250
mkdir -p "$dir"
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
made=$(find "$dir" -maxdepth 1 -name '*.rpm' | wc -l)
if [ "$made" -ge "$count" ]; then echo "$dir already has $made RPMs"; exit 0; fi
specs=$(( (count + per_spec - 1) / per_spec ))
build_one() {
  local s=$1 spec="$top/bench$1.spec"
  {
    echo "Name: bench$s"; echo "Version: 1.$s.0"; echo "Release: 1"; echo "Summary: benchmark package $s"
    echo "License: Apache-2.0"; echo "BuildArch: noarch"; echo
    echo "%description"; echo "Benchmark."; echo
    for i in $(seq 1 $((per_spec - 1))); do
      echo "%package p$i"; echo "Summary: benchmark subpackage $s.$i"; echo "%description p$i"; echo "Sub."; echo
    done
    echo "%install"; echo "mkdir -p %{buildroot}/opt/bench$s"
    for i in $(seq 0 $((per_spec - 1))); do echo "echo $s.$i > %{buildroot}/opt/bench$s/f$i"; done
    echo; echo "%files"; echo "/opt/bench$s/f0"
    for i in $(seq 1 $((per_spec - 1))); do echo "%files p$i"; echo "/opt/bench$s/f$i"; done
    echo; echo "%changelog"; echo "* Tue Nov 24 2026 CI <ci@example.com> - 1.$s.0-1"; echo "- ab/cd: benchmark build $s"
  } > "$spec"
  rpmbuild -bb --quiet --define "_topdir $top/t$s" --define "_rpmdir $dir" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" "$spec" >/dev/null
}
export -f build_one; export top dir per_spec
seq 1 "$specs" | xargs -P 2 -I{} bash -c 'build_one {}'
echo "$dir: $(find "$dir" -maxdepth 1 -name '*.rpm' | wc -l) RPMs"
