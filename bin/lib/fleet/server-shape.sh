# shellcheck shell=bash
# The "server" shape of the loopback fleet (bin/fleet up --shape server, docs/fleet.md): hosts
# that look like real servers to dnf and rpm. Next to the environment's repository each host has
# three more enabled repositories (base, updates, a third-party one) and a few hundred packages
# installed in its rpm database, some with scriptlets, the way a roll meets a real host: dnf
# loads every enabled repository's metadata and the whole rpmdb on every run.
#
# Sourced by bin/fleet (uses DIR, YM_STATE, log, die).

# What the repositories hold. Base packages require one another (N requires N/2), so dnf has
# a dependency graph to solve; every fifth package has %post and %postun scriptlets.
SERVER_BASE_PACKAGES=1000
SERVER_UPDATES=150          # base 1..150 again at version 1.1 in "updates"
SERVER_THIRDPARTY=200
SERVER_INSTALLED_BASE=350   # installed on every host: base 1..350 (updated), third-party 1..40
SERVER_INSTALLED_THIRDPARTY=40
# The generated RPMs are kept across `down` (rpmbuild of the 1,350 packages takes ~40 CPU-s);
# the version names the layout above and changes with it.
SERVER_RPMS_VERSION=1
SERVER_CACHE=${YM_FLEET_SERVER_CACHE:-$YM_STATE/fleet-server-rpms}

# One spec with many subpackages: one rpmbuild run makes them all (~25 ms of CPU per package
# against ~70 ms for a spec each). Prints the spec on stdout.
# server_spec NAME VERSION PREFIX FIRST LAST
server_spec() {
  local name=$1 version=$2 prefix=$3 first=$4 last=$5 i n dep
  cat <<SPEC
Name: $name
Version: $version
Release: 1
Summary: Packages of a server's $name repository (Yardmaster loopback fleet)
License: MIT
BuildArch: noarch

%description
Generated packages that give the fleet's hosts a realistic repository and rpm database.

%install
for i in \$(seq $first $last); do
  d=%{buildroot}/usr/share/sv/$prefix-\$i
  mkdir -p \$d
  echo "$prefix-\$i $version" > \$d/README
done
SPEC
  for ((i = first; i <= last; i++)); do
    n=$(printf '%04d' "$i")
    printf '%%package -n %s-%s\nSummary: %s package %s\n' "$prefix" "$n" "$prefix" "$i"
    if [ "$prefix" = sv-base ] && [ "$i" -gt 1 ]; then
      dep=$(printf '%04d' $((i / 2)))
      printf 'Requires: %s-%s\n' "$prefix" "$dep"
    fi
    if [ "$prefix" = sv-base ] && [ "$i" -eq 1 ]; then
      # The installroot's /bin/sh is copied in by the fleet (dash and its libraries); this
      # package stands for the distribution's provider of /bin/sh, which scriptlets require.
      printf 'Provides: /bin/sh\n'
    fi
    printf '%%description -n %s-%s\nA generated package.\n' "$prefix" "$n"
    printf '%%files -n %s-%s\n/usr/share/sv/%s-%s\n' "$prefix" "$n" "$prefix" "$i"
    if [ $((i % 5)) -eq 0 ]; then
      printf '%%post -n %s-%s\necho configured > /dev/null\n' "$prefix" "$n"
      printf '%%postun -n %s-%s\n: removed\n' "$prefix" "$n"
    fi
  done
}

# Builds (once, into SERVER_CACHE) the RPMs of base, updates and third-party, and makes the
# three repositories under DIR/repo/server/ with createrepo_c (hardlinks to the cache).
server_repos() {
  local cache=$SERVER_CACHE/v$SERVER_RPMS_VERSION repo spec top
  if [ ! -f "$cache/.done" ]; then
    log "server shape: building $((SERVER_BASE_PACKAGES + SERVER_UPDATES + SERVER_THIRDPARTY)) RPMs once into $cache"
    rm -rf "$cache"
    mkdir -p "$cache"
    for repo in base updates thirdparty; do
      top=$cache/tmp-$repo
      mkdir -p "$top" "$cache/$repo"
      case $repo in
        base) server_spec sv-base 1.0 sv-base 1 "$SERVER_BASE_PACKAGES" ;;
        updates) server_spec sv-base-updates 1.1 sv-base 1 "$SERVER_UPDATES" ;;
        thirdparty) server_spec tp-agent 3.2 tp-agent 1 "$SERVER_THIRDPARTY" ;;
      esac >"$top/$repo.spec"
      spec=$top/$repo.spec
      HOME=$top rpmbuild -bb --quiet --define "_topdir $top" --define "_rpmdir $top/RPMS" \
        --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' \
        --define '_build_id_links none' --define '_binary_payload w1.gzdio' "$spec" >"$top/build.log" 2>&1 \
        || { tail -20 "$top/build.log" >&2; die "rpmbuild failed for the server shape's $repo repository"; }
      find "$top/RPMS" -name '*.rpm' -exec mv -t "$cache/$repo" {} +
      rm -rf "$top"
    done
    touch "$cache/.done"
  fi
  for repo in base updates thirdparty; do
    [ -d "$DIR/repo/server/$repo/repodata" ] && continue
    rm -rf "$DIR/repo/server/$repo"
    mkdir -p "$DIR/repo/server"
    cp -al "$cache/$repo" "$DIR/repo/server/$repo"
    createrepo_c -q --no-database "$DIR/repo/server/$repo"
  done
}

# /bin/sh for scriptlets inside an installroot: dash and the libraries it links.
server_shell() {
  local root=$1 lib
  mkdir -p "$root/bin"
  cp /bin/dash "$root/bin/sh"
  for lib in $(ldd /bin/dash | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# The base installroot every server-shaped host starts from, made once per fleet directory:
# the three repositories enabled (metadata kept 6 h, as distribution repo files do) and a few
# hundred packages installed and updated, so each host's rpmdb and dnf cache look lived in.
server_base_root() {
  local root=$DIR/templates/server-base want="server-v$SERVER_RPMS_VERSION"
  [ "$(cat "$root.done" 2>/dev/null)" = "$want" ] && return 0
  log "server shape: installing $((SERVER_INSTALLED_BASE + SERVER_INSTALLED_THIRDPARTY + 1)) packages into the base installroot"
  rm -rf "$root"
  mkdir -p "$root"/{etc/yum.repos.d,etc/dnf,dev,var/lib/rpm,tmp}
  mknod -m 666 "$root/dev/null" c 1 3 2>/dev/null || true
  server_shell "$root"
  local repo
  for repo in base updates thirdparty; do
    cat <<REPO
[server-$repo]
name=Server $repo
baseurl=file://$DIR/repo/server/$repo
enabled=1
gpgcheck=0
metadata_expire=6h

REPO
  done >"$root/etc/yum.repos.d/server.repo"
  write_dnf_conf "$root"
  HOME=$DIR/rpmhome rpm --root "$root" --initdb
  local pkgs=() i
  for ((i = 1; i <= SERVER_INSTALLED_BASE; i++)); do pkgs+=("$(printf 'sv-base-%04d' "$i")"); done
  for ((i = 1; i <= SERVER_INSTALLED_THIRDPARTY; i++)); do pkgs+=("$(printf 'tp-agent-%04d' "$i")"); done
  HOME=$DIR/rpmhome dnf -q -y --installroot="$root" --config="$root/etc/dnf/dnf.conf" --releasever=1 \
    install "${pkgs[@]}" >"$DIR/log/template-server-base.log" 2>&1 \
    || { tail -20 "$DIR/log/template-server-base.log" >&2; die "dnf could not install the server shape's packages"; }
  echo "$want" >"$root.done"
}

# A host's installroot from its template. The package payloads under usr/ are hardlinked (rpm
# replaces a file by renaming a new one over it, so a host's update never writes into a shared
# inode); the rpmdb, the dnf cache and logs, which are written in place, are copied.
server_copy_root() {
  local template=$1 root=$2 entry
  mkdir -p "$root"
  for entry in "$template"/*; do
    if [ "${entry##*/}" = usr ]; then cp -al "$entry" "$root/"; else cp -a --reflink=auto "$entry" "$root/"; fi
  done
}
