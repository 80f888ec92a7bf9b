"""The intake flood: 100,000 CSV rows as a spreadsheet exports them (CRLF), ~85% distinct emails,
~3% malformed (an email without `@`), the rest repeating earlier emails. Fixed seed.

    python3 scripts/bench/intake_flood.py flood.csv [rows]
"""
import random
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
random.seed(8)
distinct = int(n * 0.85)
with open(path, "w", newline="") as f:
    f.write("name,email,zone,strengths,weaknesses,age,source\r\n")
    for i in range(n):
        if i % 33 == 0:
            f.write(f"Broken {i},not-an-email-{i},north,cleaning,,3,web\r\n")
            continue
        k = i if i < distinct else random.randrange(distinct)
        f.write(f"Cat {k},cat{k}@example.com,z{k % 50},cleaning:{1 + k % 5};gardening,,{k % 15},web\r\n")
