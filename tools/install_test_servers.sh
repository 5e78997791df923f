#!/usr/bin/env bash
# Installs the servers the tests run on 127.0.0.1 from Debian's packages, without letting the packages start them
# on 0.0.0.0: nginx (the storage layer's nginx test) and docker-registry (the CNCF distribution registry, the real
# OCI registry ecr_image copies from in its tests). The tests start their own, on the loopback interface only.
set -euo pipefail

packages=()
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then packages+=(nginx-light); fi
if ! command -v docker-registry >/dev/null 2>&1 && [ ! -x /usr/bin/docker-registry ]; then packages+=(docker-registry); fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  # invoke-rc.d asks policy-rc.d first; 101 means "do not start services".
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 0755 "$policy"
  own_policy=true
fi
cleanup() { if $own_policy; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Belt and braces: no packaged server may keep running.
if [ -f /run/nginx.pid ]; then $SUDO /usr/sbin/nginx -s stop 2>/dev/null || true; fi
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl stop docker-registry 2>/dev/null || true; fi
