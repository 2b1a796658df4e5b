#!/usr/bin/env python3
"""Times mcl's BN254 pairing through the mclbn256 PyPI package (reference for waggle-bench).

Prints one JSON object: {"pairing_us": full pairing e(P, Q) from affine inputs,
"miller_loop_precomputed_us": Miller loop with precomputed G2 lines, "final_exp_us": ..., "curve": ...}.
Exit 3 when mclbn256 is not installed. Note: mclbn256 uses mcl's BN254 curve (the 254-bit
Nogami et al. curve); its pairing has the same structure and field size as alt_bn128's.
"""
import json
import sys
import time

try:
    import mclbn256.mclbn256 as m
    from mclbn256 import G1, G2, GT, Fr
except ImportError:
    print(json.dumps({"error": "mclbn256 not installed"}))
    sys.exit(3)


def package_version():
    try:
        from importlib.metadata import version
        return version("mclbn256")
    except Exception:
        return "?"


def per_call(fn, n):
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    p = G1.base_point().mul(Fr.random()) if hasattr(Fr, "random") else G1.base_point()
    q = G2.base_point()
    out = GT()
    lib = m.lib
    # Python call overhead, measured on a call that does nothing useful, is subtracted.
    overhead = per_call(lambda: None, n * 10)
    full = per_call(lambda: lib.mclBn_pairing(out.d12, p.d, q.d2), n)
    ml = per_call(lambda: lib.mclBn_millerLoop(out.d12, p.d, q.d2), n)
    fe = per_call(lambda: lib.mclBn_finalExp(out.d12, out.d12), n)
    print(json.dumps({
        "pairing_us": full - overhead,
        "miller_loop_us": ml - overhead,
        "final_exp_us": fe - overhead,
        "curve": "mcl BN254 via mclbn256 %s" % package_version(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
