#!/usr/bin/env bash
# Installs the PyPI packages that the tests (py_ecc: an independent Groth16 check) and the
# benchmarks (mclbn256: the reference pairing) use, only when they are missing.
set -euo pipefail
missing=()
for pkg in "$@"; do
  mod="$pkg"
  [ "$pkg" = "py_ecc" ] && mod="py_ecc"
  python3 -c "import $mod" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: pip installing ${missing[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}" \
    || echo "deps: warning: could not install ${missing[*]} (tests that need them will say so and skip)" >&2
fi
