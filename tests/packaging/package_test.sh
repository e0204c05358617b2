#!/usr/bin/env bash
# The installed system, as the Debian packages lay it out: builds the .debs with
# cpack, unpacks them into a scratch root (dpkg-deb -x), and runs the installed
# hallqd and hallq from there against the shipped default hall
# (/etc/hallq/hallq.toml) and an example (share/doc/hallq/examples/town.toml):
# hallqd starts, `hallq status`, an issue and a call work, and the dashboard's
# page and Chart.js are served from the installed share/hallq. Then lintian on
# the .debs (an error fails) and systemd-analyze verify on the units (each
# skipped with a message when the tool is absent).
#   package_test.sh BUILD_DIR INSTALL_PREFIX
# Exit: 0 pass, 1 fail, 77 skip (a tree not configured for packages).
set -euo pipefail

build=$(cd "$1" && pwd)
prefix=$2
if [ "$prefix" != "/usr" ]; then
  echo "SKIP: the packages are built from a tree configured with CMAKE_INSTALL_PREFIX=/usr;" \
    "this one has $prefix (reconfigure with -DCMAKE_INSTALL_PREFIX=/usr)"
  exit 77
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hallq-package-test.XXXXXX")
engine_pid=""
cleanup() {
  if [ -n "$engine_pid" ]; then kill "$engine_pid" 2>/dev/null || true; wait "$engine_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$scratch/hallqd.log" ] && sed 's/^/  hallqd: /' "$scratch/hallqd.log"; exit 1; }
step() { echo "--- $* ($SECONDS s)"; }

# gzip rather than xz: the same packages, built in half the time.
step "cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/packages" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip > "$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; fail "cpack"; }
debs=("$scratch"/packages/*.deb)
[ -f "$scratch/packages/hallqd_"*.deb ] || fail "no hallqd package in: ${debs[*]##*/}"
[ -f "$scratch/packages/hallq-devices_"*.deb ] || fail "no hallq-devices package in: ${debs[*]##*/}"
echo "packages: ${debs[*]##*/}"
depends_of() { dpkg-deb -f "$scratch/packages/$1_"*.deb Depends; }
for dep in adduser libzmq5 liblmdb0 libnats3.4; do
  grep -q "$dep" <<< "$(depends_of hallqd)" || fail "hallqd does not depend on $dep: $(depends_of hallqd)"
done
for dep in adduser fonts-noto-cjk espeak-ng-data libsdl2-2.0-0 libespeak-ng1; do
  grep -q "$dep" <<< "$(depends_of hallq-devices)" ||
    fail "hallq-devices does not depend on $dep: $(depends_of hallq-devices)"
done

step "dpkg-deb -x into a scratch root"
root="$scratch/root"
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$root"; done
for program in hallqd hallq hallq-passwd hallq-city hallq-display hallq-speaker hallq-keypad hallq-kiosk hallq-caller hallq-citizen hallq-notify hallq-upload hallq-feed; do
  [ -x "$root/usr/bin/$program" ] || fail "usr/bin/$program is not installed"
done
for file in etc/hallq/hallq.toml etc/default/hallqd usr/share/hallq/web/index.html \
  usr/share/hallq/vendor/chart.umd.js usr/share/doc/hallq/examples/town.toml lib/systemd/system/hallqd.service \
  lib/systemd/system/hallq-display@.service lib/systemd/system/hallq-notify@.service \
  lib/systemd/system/hallq-citizen@.service; do
  [ -f "$root/$file" ] || fail "$file is not installed"
done
[ -d "$root/var/lib/hallq" ] || fail "var/lib/hallq is not installed"
# A manual page per program, made from its --help: man renders it under its name.
for program in hallqd hallq hallq-passwd hallq-city hallq-display hallq-speaker hallq-keypad hallq-kiosk hallq-caller hallq-citizen hallq-notify hallq-upload hallq-feed; do
  page="$root/usr/share/man/man1/$program.1.gz"
  [ -f "$page" ] || fail "usr/share/man/man1/$program.1.gz is not installed"
  if command -v man > /dev/null; then
    LC_ALL=C.UTF-8 MANWIDTH=100 man -l "$page" 2> /dev/null | grep -q "^ *$program - " ||
      fail "man -l $program.1.gz does not render its NAME line"
  fi
done
# No build-tree path leaks into what is installed.
if grep -rl --binary-files=text "$build/" "$root" >/dev/null; then
  fail "the build tree's path is in: $(grep -rl --binary-files=text "$build/" "$root" | sed "s|$root/||")"
fi

step "the installed hallqd and hallq"
hallqd="$root/usr/bin/hallqd"
hallq="$root/usr/bin/hallq"
# Inside opening hours whatever the time of day: the engine's clock starts at 10:00 today.
"$hallqd" --conf "$root/etc/hallq/hallq.toml" --conf "$root/usr/share/doc/hallq/examples/town.toml" \
  --data "$scratch/data" --cmd 'tcp://127.0.0.1:*' --pub 'tcp://127.0.0.1:*' --http 127.0.0.1:0 \
  --time-scale 1 --time-start "$(date +%F) 10:00" > "$scratch/hallqd.log" 2>&1 &
engine_pid=$!
for _ in $(seq 100); do
  grep -q "ready" "$scratch/hallqd.log" && break
  kill -0 "$engine_pid" 2>/dev/null || fail "hallqd exited before it was ready"
  sleep 0.1
done
ready=$(grep -m1 "ready" "$scratch/hallqd.log") || fail "hallqd not ready in 10 s"
echo "$ready"
cmd=$(sed -n 's/.* cmd=\([^ ]*\).*/\1/p' <<< "$ready")
http=$(sed -n 's/.* http=\([^ ]*\).*/\1/p' <<< "$ready")
[ -n "$cmd" ] && [ -n "$http" ] || fail "no endpoints in: $ready"

run_hallq() {
  local out
  out=$("$hallq" --engine "$cmd" "$@" 2>&1) || fail "hallq $*: $out"
  echo "$out"
}
status=$(run_hallq status hall)
echo "$status" | sed 's/^/  /'
grep -q "便民服务中心" <<< "$status" || fail "hallq status hall does not name the hall"
run_hallq open hall w1 --staff s001
issued=$(run_hallq issue hall general)
echo "  $issued"
grep -q "A001" <<< "$issued" || fail "the first ticket is not A001: $issued"
called=$(run_hallq call hall w1)
echo "  $called"
grep -q "A001" <<< "$called" || fail "w1 did not call A001: $called"
run_hallq status town > /dev/null

step "the dashboard from the installed share/hallq"
page=$(curl -fsS "http://$http/") || fail "GET / failed"
cmp -s <(printf '%s' "$page") <(printf '%s' "$(cat "$root/usr/share/hallq/web/index.html")") ||
  fail "GET / is not the installed index.html"
curl -fsS "http://$http/vendor/chart.umd.js" -o "$scratch/chart.js" || fail "GET /vendor/chart.umd.js failed"
cmp -s "$scratch/chart.js" "$root/usr/share/hallq/vendor/chart.umd.js" ||
  fail "/vendor/chart.umd.js is not the installed Chart.js"
kill "$engine_pid"
wait "$engine_pid" || fail "hallqd did not stop cleanly on SIGTERM"
engine_pid=""

step "hallq report embeds the installed Chart.js"
today=$(date +%F)
run_hallq report hall --data "$scratch/data" --from "$today" --to "$today" --out "$scratch/report" > /dev/null
html=$(find "$scratch/report" -name '*.html' | head -1)
[ -n "$html" ] || fail "hallq report wrote no HTML"
chart_version=$(grep -m1 -o 'Chart.js v[0-9.]*' "$root/usr/share/hallq/vendor/chart.umd.js")
grep -qF "$chart_version" "$html" || fail "the report does not embed the installed Chart.js ($chart_version)"

step "maintainer scripts"
for deb in "${debs[@]}"; do
  control="$scratch/control/$(basename "$deb" .deb)"
  mkdir -p "$control"
  dpkg-deb -e "$deb" "$control"
  for script in postinst prerm postrm; do
    [ -x "$control/$script" ] || fail "${deb##*/}: no $script"
    sh -n "$control/$script" || fail "${deb##*/}: $script is not valid sh"
  done
done
grep -q "adduser --system" "$scratch/control/hallqd_"*/postinst || fail "hallqd's postinst creates no hallq user"
grep -qx "/etc/hallq/hallq.toml" "$scratch/control/hallqd_"*/conffiles || fail "/etc/hallq/hallq.toml is no conffile"

step "systemd-analyze verify"
if command -v systemd-analyze > /dev/null; then
  units="$scratch/units"
  mkdir -p "$units"
  # The units' programs are those unpacked under the scratch root.
  for unit in "$root"/lib/systemd/system/*.service; do
    sed "s|=/usr/bin/|=$root/usr/bin/|" "$unit" > "$units/${unit##*/}"
  done
  verify=("$units/hallqd.service")
  for template in "$units"/*@.service; do
    # A template is verified through an instance: hallq-display@.service as hallq-display@hall.service.
    instance="${template%@.service}@hall.service"
    cp "$template" "$instance"
    verify+=("$instance")
  done
  systemd-analyze verify --man=no "${verify[@]}" > "$scratch/verify.log" 2>&1 ||
    { cat "$scratch/verify.log"; fail "systemd-analyze verify"; }
  cat "$scratch/verify.log"
  echo "systemd-analyze verify: ${#verify[@]} units accepted"
else
  echo "SKIPPED: systemd-analyze is not installed (package systemd): the units are not verified"
fi

step "lintian"
if command -v lintian > /dev/null; then
  lintian --tag-display-limit 0 "${debs[@]}" > "$scratch/lintian.log" 2>&1 || true
  grep -v "^running with root privileges" "$scratch/lintian.log" || true
  if grep -q "^E: " "$scratch/lintian.log"; then fail "lintian reports errors"; fi
  if grep -q "no-manual-page" "$scratch/lintian.log"; then fail "lintian finds a program without a manual page"; fi
  echo "lintian: no errors ($(grep -c "^W: " "$scratch/lintian.log" || true) warnings)"
else
  echo "SKIPPED: lintian is not installed (tools/install-deps.sh installs it): the packages are not checked"
fi
step "done"
