#!/usr/bin/env bash
# Fills DIR/build with COUNT real RPMs (default 5000): PACKAGES packages x VERSIONS versions,
# made by rpmbuild as subpackages of one spec per version (one rpmbuild run per version, so
# 5,000 RPMs take seconds, not the ~6 minutes of 5,000 separate runs).
set -euo pipefail
dir=${1:?usage: gen-rpms.sh DIR [PACKAGES] [VERSIONS]}
packages=${2:-500}
versions=${3:-10}
mkdir -p "$dir/build"
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
for v in $(seq 1 "$versions"); do
  spec="$top/bench-$v.spec"
  {
    echo "Name: bench-base"
    echo "Version: 1.$v.0"
    echo "Release: 1"
    echo "Summary: Benchmark packages"
    echo "License: Apache-2.0"
    echo "BuildArch: noarch"
    echo
    echo "%description"
    echo "Benchmark."
    for p in $(seq -w 1 "$packages"); do
      echo
      echo "%package -n bench-pkg-$p"
      echo "Summary: Benchmark package $p"
      echo "%description -n bench-pkg-$p"
      echo "Benchmark package $p."
      echo "%files -n bench-pkg-$p"
      echo "/opt/bench-pkg-$p"
    done
    echo
    echo "%install"
    echo "for p in \$(seq -w 1 $packages); do mkdir -p %{buildroot}/opt/bench-pkg-\$p; echo %{version} > %{buildroot}/opt/bench-pkg-\$p/VERSION; done"
    echo
    echo "%changelog"
    echo "* Tue Nov 24 2026 CI <ci@example.com> - 1.$v.0-1"
    echo "- ab/cd: benchmark change $v"
  } > "$spec"
  rpmbuild -bb --quiet --define "_topdir $top" --define "_rpmdir $dir/build" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    --define "_dbpath $top/rpmdb" "$spec" >/dev/null
done
# The base package has no %files and is not written; everything in build/ is old enough to be settled.
touch -d '10 minutes ago' "$dir"/build/*.rpm
ls "$dir/build" | wc -l
