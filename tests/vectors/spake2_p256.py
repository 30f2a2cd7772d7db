"""Independent SPAKE2 (RFC 9382, SPAKE2-P256-SHA256-HKDF-HMAC) and the sasae password
scalar (docs/protocol.md "Code binding"), in plain Python integers: affine P-256 arithmetic,
hashlib and hmac only. Used by gen_chan_kdf.py and interop_viewer.py; checks itself against
RFC 9382 Appendix B's first vector when run."""
import hashlib, hmac

P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
A = P - 3
B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b
N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
G = (0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
     0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5)
M_HEX = "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f"
N_HEX = "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49"

def add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0:
        return None
    if p == q:
        l = (3 * p[0] * p[0] + A) * pow(2 * p[1], -1, P) % P
    else:
        l = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (l * l - p[0] - q[0]) % P
    return (x, (l * (p[0] - x) - p[1]) % P)

def mul(k, p):
    r = None
    while k:
        if k & 1:
            r = add(r, p)
        p, k = add(p, p), k >> 1
    return r

def neg(p):
    return (p[0], (-p[1]) % P)

def decode(b):
    if b[0] == 4 and len(b) == 65:
        x, y = int.from_bytes(b[1:33], "big"), int.from_bytes(b[33:], "big")
    elif b[0] in (2, 3) and len(b) == 33:
        x = int.from_bytes(b[1:], "big")
        y = pow((x ** 3 + A * x + B) % P, (P + 1) // 4, P)
        if y & 1 != b[0] & 1:
            y = P - y
    else:
        raise ValueError("bad point")
    if (y * y - x ** 3 - A * x - B) % P:
        raise ValueError("not on the curve")
    return (x, y)

def encode(p):
    return b"\x04" + p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")

M, NP = decode(bytes.fromhex(M_HEX)), decode(bytes.fromhex(N_HEX))

def share(role, w, s):
    """pA = x*G + w*M (role "A") or pB = y*G + w*N (role "B")."""
    return encode(add(mul(s, G), mul(w, M if role == "A" else NP)))

def finish(role, w, s, peer, id_a, id_b, own):
    """Returns (Ke, Ka, KcA, KcB, MAC_A, MAC_B, K)."""
    k = encode(mul(s, add(decode(peer), neg(mul(w, NP if role == "A" else M)))))
    pa, pb = (own, peer) if role == "A" else (peer, own)
    tt = b""
    for part in (id_a, id_b, pa, pb, k, w.to_bytes(32, "big")):
        tt += len(part).to_bytes(8, "little") + part
    h = hashlib.sha256(tt).digest()
    ke, ka = h[:16], h[16:]
    prk = hmac.new(b"\0" * 32, ka, hashlib.sha256).digest()  # HKDF-Extract, no salt
    kc = hmac.new(prk, b"ConfirmationKeys" + b"\x01", hashlib.sha256).digest()
    kca, kcb = kc[:16], kc[16:32]
    return (ke, ka, kca, kcb, hmac.new(kca, tt, hashlib.sha256).digest(),
            hmac.new(kcb, tt, hashlib.sha256).digest(), k)

def expand_label(secret, label, ctx, length):
    full = b"sasae1 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(ctx)]) + ctx
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha384).digest()
        out, i = out + t, i + 1
    return out[:length]

def password_w(pw):
    """sasae: w = OS2IP(Expand(Extract("sasae v2 spake2", pw), "spake2 w", "", 48)) mod n."""
    prk = hmac.new(b"sasae v2 spake2", pw, hashlib.sha384).digest()
    return int.from_bytes(expand_label(prk, b"spake2 w", b"", 48), "big") % N

if __name__ == "__main__":
    w = 0x2ee57912099d31560b3a44b1184b9b4866e904c49d12ac5042c97dca461b1a5f
    x = 0x43dd0fd7215bdcb482879fca3220c6a968e66d70b1356cac18bb26c84a78d729
    y = 0xdcb60106f276b02606d8ef0a328c02e4b629f84f89786af5befb0bc75b6e66be
    pa, pb = share("A", w, x), share("B", w, y)
    ra = finish("A", w, x, pb, b"server", b"client", pa)
    rb = finish("B", w, y, pa, b"server", b"client", pb)
    assert ra == rb
    assert pa.hex().startswith("04a56fa807caaa53a4d28dbb9853b9815c61a411"), pa.hex()
    assert ra[0].hex() == "0e0672dc86f8e45565d338b0540abe69"
    assert ra[4].hex() == "58ad4aa88e0b60d5061eb6b5dd93e80d9c4f00d127c65b3b35b1b5281fee38f0"
    print("RFC 9382 vector 1: ok")
