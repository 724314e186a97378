#!/usr/bin/env bash
# Installs everything netrig needs to build, test and compare itself with
# its peers, on Debian 12, as root. Safe to run again: apt-get skips what is
# already there.
set -euo pipefail
pkgs=(
    build-essential cmake pkg-config git
    libssl-dev zlib1g-dev libinih-dev libcmocka-dev libnghttp2-dev
    clang libclang-rt-14-dev clang-format
    gnuplot-nox
    chromium
    iproute2 socat curl openssl strace jq time
    openssh-server openssh-client
    iperf3 sockperf wrk nginx-light h2o nghttp2-client
    default-jre-headless default-jdk-headless libhdrhistogram-java
    python3 python3-websockets node-ws websocketd libwebsockets-test-server
)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
