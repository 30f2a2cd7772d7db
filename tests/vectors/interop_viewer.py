#!/usr/bin/env python3
"""Independent sasae viewer (docs/protocol.md, layer 3) for the interop test.

Speaks to test_chan_interop.c over stdin/stdout, one hex-encoded message per line, using
only hashlib/hmac and the `cryptography` package: if this and codec/chan complete a
handshake and exchange records, the document is precise enough to reimplement."""
import hashlib, hmac, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spake2_p256
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def send(b):
    sys.stdout.write(b.hex() + "\n")
    sys.stdout.flush()

def recv():
    line = sys.stdin.readline()
    if not line:
        sys.exit("peer closed")
    return bytes.fromhex(line.strip())

def expand_label(secret, label, ctx, length):
    full = b"sasae1 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(ctx)]) + ctx
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha384).digest()
        out, i = out + t, i + 1
    return out[:length]

class Dir:
    def __init__(self, secret):
        self.set(secret)
    def set(self, secret):
        self.secret, self.seq = secret, 0
        self.key = expand_label(secret, b"key", b"", 32)
        self.iv = expand_label(secret, b"iv", b"", 12)
    def nonce(self):
        return bytes(a ^ b for a, b in zip(self.iv, self.seq.to_bytes(12, "big")))
    def seal(self, pt, update=False):
        t = 0x18 if update else 0x17
        rec = bytes([t]) + AESGCM(self.key).encrypt(self.nonce(), pt, bytes([t]))
        self.seq += 1
        if update:
            self.set(expand_label(self.secret, b"update", b"", 48))
        return rec
    def open(self, rec):
        pt = AESGCM(self.key).decrypt(self.nonce(), rec[1:], rec[:1])
        self.seq += 1
        if rec[0] == 0x18:
            self.set(expand_label(self.secret, b"update", b"", 48))
        return pt

cert_pem, key_pem = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
code = sys.argv[3].encode()  # the support code's digits without the check digit
cert_der = x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
op_key = serialization.load_pem_private_key(key_pem, None)
raw = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)

eph = X25519PrivateKey.generate()
w = spake2_p256.password_w(code)
x = int.from_bytes(os.urandom(48), "big") % (spake2_p256.N - 1) + 1
pa = spake2_p256.share("A", w, x)
ch = bytes([1, 0, 2, 0, 1]) + os.urandom(32) + eph.public_key().public_bytes(*raw) + pa
send(ch)

sh = recv()
assert len(sh) == 230 and sh[0] == 2 and sh[1:5] == bytes([0, 2, 0, 1]), "bad SERVER_HELLO"
host_pub = sh[134:166]
th1 = hashlib.sha384(ch + sh[:166]).digest()
Ed25519PublicKey.from_public_bytes(host_pub).verify(sh[166:], b"sasae v2 host signature\0" + th1)
shared = eph.exchange(X25519PublicKey.from_public_bytes(sh[37:69]))
ke = spake2_p256.finish("A", w, x, sh[69:134], b"sasae viewer", b"sasae host", pa)[0]
th_sh = hashlib.sha384(ch + sh).digest()
prk = hmac.new(b"sasae v2", shared + ke, hashlib.sha384).digest()
hs = expand_label(prk, b"hs", th_sh, 48)
fin_v, fin_h = expand_label(hs, b"finished v", b"", 48), expand_label(hs, b"finished h", b"", 48)

ca = bytes([3]) + len(cert_der).to_bytes(2, "big") + cert_der
th2 = hashlib.sha384(ch + sh + ca).digest()
ca += op_key.sign(b"sasae v2 operator signature\0" + th2)
th3 = hashlib.sha384(ch + sh + ca).digest()
ca += hmac.new(fin_v, th3, hashlib.sha384).digest()
send(ca)
th_ca = hashlib.sha384(ch + sh + ca).digest()
v2h = Dir(expand_label(prk, b"v2h", th_ca, 48))
h2v = Dir(expand_label(prk, b"h2v", th_ca, 48))

hf = recv()
assert hf[0] == 4 and hmac.compare_digest(hf[1:], hmac.new(fin_h, th_ca, hashlib.sha384).digest()), "bad HOST_FINISHED"
fpr = hashlib.sha256(host_pub).hexdigest().upper()
fingerprint = "SHA256:" + " ".join(fpr[i:i + 4] for i in range(0, 64, 4))

# Host records: three, the second a key update.
for want in (b"host record 0", b"host record 1 (update)", b"host record 2"):
    got = h2v.open(recv())
    assert got == want, got
send(v2h.seal(b"viewer record 0"))
send(v2h.seal(b"viewer record 1 (update)", update=True))
send(v2h.seal(b"viewer record 2"))
send(fingerprint.encode())  # the C side compares it with its own formatting
