#!/usr/bin/env python3
"""sampler.py CLIENT_PID SERVER_PID: every 50 ms prints the wall-clock time (microseconds),
the bytes the client process has read so far (/proc/PID/io rchar: its socket or pipe), the
server's CPU ticks (utime+stime) and its RSS (kB), until either process ends. The harness
interpolates these at the edges of each workload's window."""
import sys
import time

client, server = sys.argv[1], sys.argv[2]


def rchar(pid):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def cpu_rss(pid):
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return int(st[11]) + int(st[12]), rss


while True:
    try:
        t = time.time_ns() // 1000
        r = rchar(client)
        ticks, rss = cpu_rss(server)
    except (OSError, IndexError, ValueError):
        break
    sys.stdout.write(f"{t}\t{r}\t{ticks}\t{rss}\n")
    sys.stdout.flush()
    time.sleep(0.05)
