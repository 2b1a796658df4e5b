#!/usr/bin/env python3
"""Times mcl's BN254 pairings through the mclbn256 PyPI package (reference for waggle-bench).

mclbn256 initialises mcl on mcl's own 254-bit BN curve (Nogami et al., z = -(2^62 + 2^55 + 1)).
Waggle's curve is alt_bn128 (z = 4965661367192848881), which mcl also implements as
MCL_BN_SNARK1. The two curves share the field size and the tower, but their parameter z is very
different in weight: the Nogami z has three non-zero bits, alt_bn128's z has many more, which
changes the number of multiplications in both the Miller loop (6z + 2) and the final
exponentiation (three exponentiations by z). So this script times both:

- "alt_bn128": mcl re-initialised with MCL_BN_SNARK1 (the same curve, generators and pairing as
  Waggle, EIP-197 and snarkjs). This is the like-for-like reference.
- "mcl_bn254": the package's default curve, for context.

Before timing alt_bn128 it checks that mcl really is on alt_bn128 (its field order p and group
order r) and that its pairing is bilinear and non-degenerate on the EIP-197 generators.

Prints one JSON object and exits 0; exit 3 when mclbn256 is not installed, 4 when a check fails.
Python call overhead, measured on a call that does nothing, is subtracted from every figure.
"""
import ctypes
import json
import sys
import time

try:
    import mclbn256.mclbn256 as m
    from mclbn256 import G1, G2, GT
except ImportError:
    print(json.dumps({"error": "mclbn256 not installed"}))
    sys.exit(3)

# mcl's include/mcl/curve_type.h
MCL_BN_SNARK1 = 4
ALT_BN128_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
ALT_BN128_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# EIP-197's G2 generator, mcl's "1 x.c0 x.c1 y.c0 y.c1" decimal form.
G2_GENERATOR = (
    b"1 10857046999023057135944570762232829481370756359578518086990519993285655852781 "
    b"11559732032986387107991004021392285783925812861821192530917403151452391805634 "
    b"8495653923123431417604973247489272438418190587263600148770280649306958101930 "
    b"4082367875863433681332203403145435568316851327593401208105741076214120093531"
)


def package_version():
    try:
        from importlib.metadata import version
        return version("mclbn256")
    except Exception:
        return "?"


def per_call(fn, n, overhead=0.0):
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6 - overhead


def time_curve(lib, p, q, n, overhead):
    out = GT()
    return {
        "pairing_us": per_call(lambda: lib.mclBn_pairing(out.d12, p.d, q.d2), n, overhead),
        "miller_loop_us": per_call(lambda: lib.mclBn_millerLoop(out.d12, p.d, q.d2), n, overhead),
        "final_exp_us": per_call(lambda: lib.mclBn_finalExp(out.d12, out.d12), n, overhead),
    }


def decimal(getter):
    buf = ctypes.create_string_buffer(200)
    n = getter(buf, 200)
    return int(buf.value[:n])


def gt_equal(lib, a, b):
    return lib.mclBnGT_isEqual(a.d12, b.d12) == 1


def check_alt_bn128(lib, p, q):
    """mcl is on alt_bn128 and e is bilinear and non-degenerate: e(3P, 5Q) == e(P, Q)^15 != 1."""
    if decimal(lib.mclBn_getFieldOrder) != ALT_BN128_P or decimal(lib.mclBn_getCurveOrder) != ALT_BN128_R:
        return "mcl's field or group order is not alt_bn128's"
    if lib.mclBnG1_isValid(p.d) != 1 or lib.mclBnG2_isValid(q.d2) != 1:
        return "the EIP-197 generators are not valid points for mcl"
    e, e15, lhs, one = GT(), GT(), GT(), GT()
    lib.mclBn_pairing(e.d12, p.d, q.d2)
    lib.mclBnGT_setInt(one.d12, 1)
    if gt_equal(lib, e, one):
        return "e(P, Q) == 1"
    p3, q5 = G1(), G2()
    three, five = ctypes.create_string_buffer(b"3"), ctypes.create_string_buffer(b"5")
    fr3, fr5 = (ctypes.c_uint64 * 4)(), (ctypes.c_uint64 * 4)()
    lib.mclBnFr_setStr(fr3, three, 1, 10)
    lib.mclBnFr_setStr(fr5, five, 1, 10)
    lib.mclBnG1_mul(p3.d, p.d, fr3)
    lib.mclBnG2_mul(q5.d2, q.d2, fr5)
    lib.mclBn_pairing(lhs.d12, p3.d, q5.d2)
    fr15 = (ctypes.c_uint64 * 4)()
    fifteen = ctypes.create_string_buffer(b"15")
    lib.mclBnFr_setStr(fr15, fifteen, 2, 10)
    lib.mclBnGT_pow(e15.d12, e.d12, fr15)
    if not gt_equal(lib, lhs, e15):
        return "e(3P, 5Q) != e(P, Q)^15"
    return None


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    lib = m.lib
    overhead = per_call(lambda: None, n * 10)

    default = time_curve(lib, G1.base_point(), G2.base_point(), n, overhead)

    if lib.mclBn_init(MCL_BN_SNARK1, m.MCLBN_COMPILED_TIME_VAR) != 0:
        print(json.dumps({"error": "mcl could not be initialised on alt_bn128 (MCL_BN_SNARK1)"}))
        return 4
    p, q = G1(), G2()
    lib.mclBnG1_setStr(p.d, b"1 1 2", 5, 10)
    lib.mclBnG2_setStr(q.d2, G2_GENERATOR, len(G2_GENERATOR), 10)
    problem = check_alt_bn128(lib, p, q)
    if problem:
        print(json.dumps({"error": "alt_bn128 check failed: " + problem}))
        return 4
    same = time_curve(lib, p, q, n, overhead)

    print(json.dumps({
        "alt_bn128": same,
        "mcl_bn254": default,
        "version": "mclbn256 %s" % package_version(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
