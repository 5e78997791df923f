#!/usr/bin/env bash
# Installs nginx from Debian's packages for the storage layer's nginx test, without letting the
# package start a server on 0.0.0.0:80: the test runs its own nginx on 127.0.0.1 only.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
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
$SUDO apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
# Belt and braces: no packaged nginx may keep running.
if [ -f /run/nginx.pid ]; then $SUDO /usr/sbin/nginx -s stop 2>/dev/null || true; fi
