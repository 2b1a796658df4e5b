#!/usr/bin/env python3
"""Independent Groth16 verifier for snarkjs JSON, on py_ecc (optimized_bn128).

Usage: zk_verify_pyecc.py VK.json PROOF.json PUBLIC.json
Exit 0: the proof verifies; 1: it does not; 2: bad input; 3: py_ecc is not installed.
Used by Tests/WaggleZKTests/ProverTests.swift to cross-check proofs from the Swift prover.
"""
import json
import sys

try:
    from py_ecc.optimized_bn128 import (FQ, FQ2, FQ12, add, b, b2, curve_order, field_modulus,
                                        final_exponentiate, is_on_curve, multiply, neg, pairing)
except ImportError:
    print("py_ecc not installed")
    sys.exit(3)


def fq(s):
    v = int(s)
    if not 0 <= v < field_modulus:
        raise ValueError("coordinate out of range")
    return v


def g1(p):
    if int(p[2]) != 1:
        raise ValueError("G1 point not affine")
    pt = (FQ(fq(p[0])), FQ(fq(p[1])), FQ(1))
    if not is_on_curve(pt, b):
        raise ValueError("G1 point not on curve")
    return pt


def g2(p):
    if [int(p[2][0]), int(p[2][1])] != [1, 0]:
        raise ValueError("G2 point not affine")
    pt = (FQ2([fq(p[0][0]), fq(p[0][1])]), FQ2([fq(p[1][0]), fq(p[1][1])]), FQ2([1, 0]))
    if not is_on_curve(pt, b2):
        raise ValueError("G2 point not on curve")
    if multiply(pt, curve_order)[2] != FQ2([0, 0]):
        raise ValueError("G2 point not in subgroup")
    return pt


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    try:
        vk = json.load(open(sys.argv[1]))
        proof = json.load(open(sys.argv[2]))
        pub = [int(x) for x in json.load(open(sys.argv[3]))]
        ic = [g1(p) for p in vk["IC"]]
        if len(pub) != len(ic) - 1 or any(not 0 <= x < curve_order for x in pub):
            raise ValueError("bad public inputs")
        a, bb, c = g1(proof["pi_a"]), g2(proof["pi_b"]), g1(proof["pi_c"])
        alpha, beta = g1(vk["vk_alpha_1"]), g2(vk["vk_beta_2"])
        gamma, delta = g2(vk["vk_gamma_2"]), g2(vk["vk_delta_2"])
    except (ValueError, KeyError, TypeError, OSError, json.JSONDecodeError) as e:
        print("bad input: %s" % e)
        return 2
    vk_x = ic[0]
    for x, p in zip(pub, ic[1:]):
        vk_x = add(vk_x, multiply(p, x))
    ml = (pairing(bb, neg(a), final_exponentiate=False)
          * pairing(beta, alpha, final_exponentiate=False)
          * pairing(gamma, vk_x, final_exponentiate=False)
          * pairing(delta, c, final_exponentiate=False))
    ok = final_exponentiate(ml) == FQ12.one()
    print("valid" if ok else "invalid")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
