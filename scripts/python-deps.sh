#!/usr/bin/env bash
# Installs the PyPI packages that the tests (py_ecc: an independent Groth16 check) and the
# benchmarks (mclbn256: the reference pairing) use, only when they are missing. Tests that need
# them say so and skip when they cannot be installed; nothing else depends on Python.
set -uo pipefail
command -v python3 >/dev/null 2>&1 || { echo "deps: python3 not found; the py_ecc cross-check and the mcl reference will be skipped" >&2; exit 0; }
missing=()
for pkg in "$@"; do
  python3 -c "import $pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "deps: installing python3-pip"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip >/dev/null
fi
echo "deps: pip installing ${missing[*]}"
pip=(python3 -m pip install --quiet --disable-pip-version-check)
# Debian's own python3 refuses system-wide pip installs (PEP 668); fall back to the user site.
"${pip[@]}" "${missing[@]}" 2>/dev/null \
  || "${pip[@]}" --user --break-system-packages "${missing[@]}" \
  || echo "deps: warning: could not install ${missing[*]}; tests that need them will say so and skip" >&2
exit 0
