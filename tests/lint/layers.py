#!/usr/bin/env python3
"""Checks the layering of src/ (docs/internals.md): each folder includes only
headers of the folders it may use, no two modules include each other (a
module is X.c with X.h, X_int.h being X's private header), and nothing
below the command line calls a cmd_* function. Usage: layers.py SRC_DIR"""
import os
import re
import sys

# Which folders each folder may include from, besides itself.
ALLOWED = {
    "base": [],
    "hist": ["base"],
    "net": ["base"],
    "proto/http": ["base"],
    "proto/ws": ["base", "proto/http"],
    "proto/h2": ["base", "proto/http"],
    "engine": ["base", "hist", "net", "proto/http", "proto/ws", "proto/h2"],
    "client": ["base", "hist", "net", "proto/http", "proto/ws", "proto/h2", "engine"],
    "server": ["base", "hist", "net", "proto/http", "proto/ws", "proto/h2", "engine"],
    "model": ["base"],
    "plot": ["base"],
    "run": ["base", "hist", "net", "proto/http", "engine", "client", "server", "model", "plot"],
    "cli": None,  # the top: anything
}

src = sys.argv[1] if len(sys.argv) > 1 else "src"
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
call_re = re.compile(r"\bcmd_[a-z_]+\s*\(")
where, files, problems = {}, [], []
for d, _, fs in os.walk(src):
    rel = os.path.relpath(d, src)
    for f in fs:
        if f.endswith((".c", ".h")):
            if rel == ".":
                problems.append(f"{f}: a source file directly in src/, outside every layer")
                continue
            if rel not in ALLOWED:
                problems.append(f"{rel}/{f}: folder {rel} is not a known layer")
                continue
            where[f] = rel
            files.append((rel, f))

def module(name):
    return re.sub(r"_int$", "", os.path.splitext(name)[0])

edges = {}
for rel, f in files:
    text = open(os.path.join(src, rel, f), errors="replace").read()
    for h in inc_re.findall(text):
        h = os.path.basename(h)
        if h not in where:
            continue  # generated (version.h) or a test's own header
        to = where[h]
        ok = ALLOWED[rel]
        if to != rel and ok is not None and to not in ok:
            problems.append(f"{rel}/{f} includes {to}/{h}: {rel} may not use {to}")
        if module(h) != module(f):
            edges.setdefault(module(f), set()).add(module(h))
    if rel != "cli":
        for m in call_re.finditer(text):
            problems.append(f"{rel}/{f} calls {m.group(0)[:-1].strip()}: only cli/ calls commands")

# Modules that include each other, directly or around a circle.
index, low, stack, on, n = {}, {}, [], set(), [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = n[0]
    n[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            problems.append("module circle: " + " ".join(sorted(comp)))
for v in list(edges):
    if v not in index:
        visit(v)

for p in problems:
    print("layers: " + p)
print(f"layers: {len(files)} files in {len(set(where.values()))} folders, {len(problems)} problems")
sys.exit(1 if problems else 0)
