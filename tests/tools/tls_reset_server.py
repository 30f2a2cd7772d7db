#!/usr/bin/env python3
"""A relay that resets: completes a TLS 1.3 handshake (asking for a client certificate, as
sasae-relay does), then resets the TCP connection without a TLS alert, for N connections.

What a client sees when a real relay refuses its certificate but the alert is lost. Prints
"ready port=P" once listening; exits 0 after N connections, 2 if it cannot bind."""
import argparse
import socket
import ssl
import struct
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--ca", required=True)
ap.add_argument("--count", type=int, default=1)
a = ap.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(a.cert, a.key)
ctx.load_verify_locations(a.ca)
ctx.verify_mode = ssl.CERT_OPTIONAL
s = socket.socket()
try:
    s.bind(("127.0.0.1", a.port))
except OSError as e:
    print(f"cannot bind {a.port}: {e}", file=sys.stderr)
    sys.exit(2)
s.listen(4)
print(f"ready port={a.port}", flush=True)
for _ in range(a.count):
    c, _ = s.accept()
    try:
        t = ctx.wrap_socket(c, server_side=True)
        print(f"handshake done, client certificate: {'yes' if t.getpeercert() else 'no'}",
              flush=True)
        time.sleep(0.1)  # the client has sent its upgrade request: unread data
        t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        t.close()
    except (ssl.SSLError, OSError) as e:
        print(f"connection failed: {e}", flush=True)
        c.close()
