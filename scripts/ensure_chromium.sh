#!/usr/bin/env bash
# Make sure headless Chromium is available for the browser tests (tests/browser): install the
# Debian package when it is missing, quietly and without questions; otherwise fail with one line.
# The tests launch it through Playwright with executable_path (CHROMIUM_PATH, default
# /usr/bin/chromium); `playwright install` is never used.
set -u

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ -x "$CHROMIUM_PATH" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "ERROR: Chromium is missing at $CHROMIUM_PATH and cannot be installed without root (run: apt-get install -y chromium, or set CHROMIUM_PATH)." >&2
    exit 1
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ERROR: Chromium is missing at $CHROMIUM_PATH and apt-get is not available (install Chromium and set CHROMIUM_PATH)." >&2
  exit 1
fi

echo "Chromium is missing: installing the Debian package..."
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq >/dev/null 2>&1 \
    && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; then
  echo "ERROR: could not install Chromium with apt-get (no network or no package 'chromium'); install it and set CHROMIUM_PATH." >&2
  exit 1
fi

if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "ERROR: the chromium package installed but $CHROMIUM_PATH does not exist (set CHROMIUM_PATH)." >&2
  exit 1
fi
echo "Chromium installed: $CHROMIUM_PATH"
