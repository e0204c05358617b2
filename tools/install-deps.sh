#!/usr/bin/env bash
# Installs the Debian 12 packages hallq needs to build, test and run.
# Idempotent: when everything is present it only checks, in well under a second.
#   tools/install-deps.sh          install what is missing
#   tools/install-deps.sh --check  list what is missing, exit 1 if anything is
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make ccache pkg-config python3 git clang-format
  # engine: Asio, ZeroMQ, FlatBuffers, LMDB, config and command line
  libboost-dev libzmq3-dev cppzmq-dev libflatbuffers-dev flatbuffers-compiler
  liblmdb-dev lmdb-utils libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  # screens and devices: SDL2 (+ TTF), the CJK font, PNG frames, espeak-ng's Mandarin voice
  libsdl2-dev libsdl2-ttf-dev fonts-noto-cjk libpng-dev libespeak-ng-dev espeak-ng-data libncurses-dev
  # the kiosk's ticket preview draws the QR code the printer prints; managers' passwords (libsodium)
  libqrencode-dev libsodium-dev
  # replication of halls to a NATS JetStream cluster (hallqd --replicate, issue 19): the C client;
  # nats-server runs the tests' real 3-node cluster
  libnats-dev nats-server
  # tests and benchmarks (Xvfb for a real window, tmux to drive terminal programs, the espeak-ng
  # program whose phoneme listing checks that every announcement is Mandarin, zbarimg that scans
  # the QR codes on rendered tickets)
  googletest libgtest-dev libgmock-dev libbenchmark-dev xvfb xauth tmux espeak-ng zbar-tools
  # the dashboard's browser tests (Playwright drives Debian's Chromium); clang for the libFuzzer targets
  chromium clang libclang-rt-14-dev
  # the packaging test (tests/packaging): dpkg-shlibdeps for cpack's dependencies, lintian,
  # systemd-analyze to verify the units, curl to fetch the installed dashboard
  dpkg-dev lintian systemd curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm install the dashboard's libraries at build time; a machine may
# have them from elsewhere (NodeSource), whose nodejs conflicts with Debian's npm.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "missing: ${missing[*]}"
  exit 1
fi

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
