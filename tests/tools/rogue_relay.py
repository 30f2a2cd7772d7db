#!/usr/bin/env python3
"""A rogue sasae relay for the test suite: an insider who holds the relay's TLS key (and, to
play the operator, a stolen operator certificate) and runs the end-to-end handshake itself,
knowing every digit the relay sees but guessing the code's secret digits.

  rogue_relay.py --port P --cert relay.pem --key relay.key --role host|viewer
                 --secret-file F [--op-cert C --op-key K] [--code 1234567] [--crl CRL.pem]

Speaks TLS 1.3 websocket (subprotocol sasae.v1) and the envelope (docs/envelope.md) to one
real client at a time, and the channel (docs/protocol.md, version 2, or 1 when the peer
speaks it) with plain Python (hashlib/hmac, `cryptography`, spake2_p256.py):
  --role host:   a real viewer JOINs; the rogue plays the customer's host with its own
                 device key, the relay digits from the JOIN and the secret digits read from F.
  --role viewer: a real host REGISTERs and gets --code; the rogue plays the operator with
                 the stolen certificate, the relay digits and the secret digits read from F.
                 It serves the organisation's CRL (--crl: public data any relay holds) as a
                 relay does: after the code, and again just before PEER_JOINED.
F is read (and removed) when the session needs it, so the test can first write a wrong
guess and later the right digits. Prints one line per outcome on stdout:
  "ready port=P", "registered", "joined CODE", "result established" (the peer finished the
  handshake with us), "result alert N" (the peer refused with ALERT reason N) or
  "result closed" (the peer went away)."""
import argparse, base64, hashlib, hmac, os, socket, ssl, struct, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
import spake2_p256 as sp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

def say(*a):
    print(*a, flush=True)

# ---- websocket (server side: frames in are masked, frames out are not) ----------------
def ws_accept(conn):
    req = b""
    while b"\r\n\r\n" not in req:
        b = conn.recv(4096)
        if not b:
            raise EOFError
        req += b
    key = [l.split(b":", 1)[1].strip() for l in req.split(b"\r\n")
           if l.lower().startswith(b"sec-websocket-key:")][0]
    acc = base64.b64encode(hashlib.sha1(key + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc +
                 b"\r\nSec-WebSocket-Protocol: sasae.v1\r\n\r\n")

def read_exact(conn, n):
    out = b""
    while len(out) < n:
        b = conn.recv(n - len(out))
        if not b:
            raise EOFError
        out += b
    return out

def ws_recv(conn):
    """One whole binary message (control frames answered on the way)."""
    msg = b""
    while True:
        h = read_exact(conn, 2)
        op, n = h[0] & 0x0F, h[1] & 0x7F
        if n == 126:
            n = struct.unpack(">H", read_exact(conn, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", read_exact(conn, 8))[0]
        mask = read_exact(conn, 4) if h[1] & 0x80 else b"\0\0\0\0"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(conn, n)))
        if op == 8:
            raise EOFError
        if op == 9:
            ws_send(conn, data, 0xA)
            continue
        if op == 0xA:
            continue
        msg += data
        if h[0] & 0x80:
            return msg

def ws_send(conn, data, op=2):
    n = len(data)
    hdr = bytes([0x80 | op]) + (bytes([n]) if n < 126 else
                                 bytes([126]) + struct.pack(">H", n) if n < 65536 else
                                 bytes([127]) + struct.pack(">Q", n))
    conn.sendall(hdr + data)

def text(s):
    b = s.encode()
    return bytes([len(b)]) + b

# ---- the channel, as far as the handshake ----------------------------------------------
def schedule(version, shared, ke, th_sh):
    salt = b"sasae v2" if version == 2 else b"sasae v1"
    prk = hmac.new(salt, shared + (ke if version == 2 else b""), hashlib.sha384).digest()
    hs = sp.expand_label(prk, b"hs", th_sh, 48)
    return sp.expand_label(hs, b"finished v", b"", 48), sp.expand_label(hs, b"finished h", b"", 48)

def read_secret(path):
    while not os.path.exists(path):
        time.sleep(0.05)
    time.sleep(0.05)
    s = open(path).read().strip()
    os.unlink(path)
    return s

def play_host(conn, relay_digits, a):
    """The viewer sent JOIN: be the customer's host."""
    ch = ws_recv(conn)[1:]  # DATA
    version = ch[1] << 8 | ch[2]
    eph, dev = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    sh = bytes([2]) + ch[1:5] + os.urandom(32) + eph.public_key().public_bytes(*RAW)
    ke = b""
    if version == 2:
        w = sp.password_w((relay_digits + read_secret(a.secret_file)).encode())
        y = int.from_bytes(os.urandom(48), "big") % (sp.N - 1) + 1
        pb = sp.share("B", w, y)
        sh += pb
        ke = sp.finish("B", w, y, ch[69:134], b"sasae viewer", b"sasae host", pb)[0]
    sh += dev.public_key().public_bytes(*RAW)
    ctx = b"sasae v2 host signature\0" if version == 2 else b"sasae v1 host signature\0"
    sh += dev.sign(ctx + hashlib.sha384(ch + sh).digest())
    shared = eph.exchange(X25519PublicKey.from_public_bytes(ch[37:69]))
    _, fin_h = schedule(version, shared, ke, hashlib.sha384(ch + sh).digest())
    ws_send(conn, b"\x10" + sh)
    ca = ws_recv(conn)[1:]
    if ca[0] == 5:
        return "alert %d" % ca[1]
    th_ca = hashlib.sha384(ch + sh + ca).digest()
    ws_send(conn, b"\x10" + bytes([4]) + hmac.new(fin_h, th_ca, hashlib.sha384).digest())
    nxt = ws_recv(conn)[1:]  # the viewer's ALERT, or its first record (HELLO): it took us
    return "alert %d" % nxt[1] if nxt[0] == 5 else "established"

def play_viewer(conn, relay_digits, a):
    """The host registered and waits: be the operator."""
    secret = read_secret(a.secret_file)
    ws_send(conn, b"\x09" + a.crl_der)  # CRL, then PEER_JOINED
    ws_send(conn, b"\x04" + text("Hanako Sato") + text("Example Help Desk"))
    version = 1 if a.v1 else 2
    eph = X25519PrivateKey.generate()
    ch = bytes([1, 0, version, 0, 1]) + os.urandom(32) + eph.public_key().public_bytes(*RAW)
    if version == 2:
        w = sp.password_w((relay_digits + secret).encode())
        x = int.from_bytes(os.urandom(48), "big") % (sp.N - 1) + 1
        pa = sp.share("A", w, x)
        ch += pa
    ws_send(conn, b"\x10" + ch)
    sh = ws_recv(conn)[1:]
    if sh[0] == 5:
        return "alert %d" % sh[1]
    ke = b""
    if version == 2:
        ke = sp.finish("A", w, x, sh[69:134], b"sasae viewer", b"sasae host", pa)[0]
    shared = eph.exchange(X25519PublicKey.from_public_bytes(sh[37:69]))
    fin_v, _ = schedule(version, shared, ke, hashlib.sha384(ch + sh).digest())
    der = x509.load_pem_x509_certificate(open(a.op_cert, "rb").read()).public_bytes(
        serialization.Encoding.DER)
    key = serialization.load_pem_private_key(open(a.op_key, "rb").read(), None)
    ca = bytes([3]) + len(der).to_bytes(2, "big") + der
    ctx = b"sasae v2 operator signature\0" if version == 2 else b"sasae v1 operator signature\0"
    ca += key.sign(ctx + hashlib.sha384(ch + sh + ca).digest())
    ca += hmac.new(fin_v, hashlib.sha384(ch + sh + ca).digest(), hashlib.sha384).digest()
    ws_send(conn, b"\x10" + ca)
    while True:
        m = ws_recv(conn)
        if m[0] == 0x10:
            return "alert %d" % m[2] if m[1] == 5 else "established"  # ALERT or HOST_FINISHED

def serve(conn, a):
    try:
        ws_accept(conn)
        m = ws_recv(conn)
        if m[0] == 1 and a.role == "viewer":  # REGISTER
            ws_send(conn, b"\x02" + a.code.encode() + struct.pack(">I", 600))
            if ws_recv(conn)[0] == 8:  # CRL_REQUEST
                ws_send(conn, b"\x09" + a.crl_der)
            say("registered")
            r = play_viewer(conn, a.code, a)
        elif m[0] == 3 and a.role == "host":  # JOIN
            digits = m[3:].decode()
            say("joined " + digits)
            ws_send(conn, b"\x04" + text("") + text(""))
            r = play_host(conn, digits, a)
        else:
            return
        say("result " + r)
        time.sleep(2)  # let the peer say what it saw before the connection goes
    except (EOFError, OSError, ssl.SSLError):
        say("result closed")
    finally:
        conn.close()

def main():
    p = argparse.ArgumentParser()
    for o in ("--cert", "--key", "--secret-file"):
        p.add_argument(o, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--role", choices=("host", "viewer"), required=True)
    p.add_argument("--op-cert")
    p.add_argument("--op-key")
    p.add_argument("--code", default="1234567")
    p.add_argument("--crl", help="the organisation's CRL (PEM) to serve to a host")
    p.add_argument("--v1", action="store_true", help="speak channel version 1 as the viewer")
    a = p.parse_args()
    a.crl_der = b""
    if a.crl:
        a.crl_der = x509.load_pem_x509_crl(open(a.crl, "rb").read()).public_bytes(
            serialization.Encoding.DER)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(a.cert, a.key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(4)
    say("ready port=%d" % a.port)
    while True:
        c, _ = ls.accept()
        try:
            t = ctx.wrap_socket(c, server_side=True)
        except (ssl.SSLError, OSError):
            c.close()
            continue
        threading.Thread(target=serve, args=(t, a), daemon=True).start()

if __name__ == "__main__":
    main()
