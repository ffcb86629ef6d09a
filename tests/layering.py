#!/usr/bin/env python3
"""layering.py SOURCE_DIR: checks the layout rules of the sources.

1. node/ never includes a coordinator/ header: every quoted include of a file
   under node/ resolves under node/ (or is the stations' generated wire
   protocol, painters_wire.pb-c.h).
2. The include graph of modules has no circle. A module is a path without its
   extension (x.c and x.h are one module); module A depends on B when A's .c
   or .h includes B.h.
3. No .c or .h file under node/ or coordinator/ is over 600 lines, and none
   sits directly in node/ or coordinator/ (they go in a subfolder by concern).

Prints one line per violation and "N passed, N failed"; exits 1 on any.
"""
import os
import re
import sys

MAX_LINES = 600
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
LAYERS = ("node", "coordinator")
# Generated protobuf-c headers (build tree only) and the layer allowed each.
GENERATED = {"painters_wire.pb-c.h": "node", "sentencepiece_model.pb-c.h": "coordinator"}


def sources(root):
    for layer in LAYERS:
        for dirpath, _, names in os.walk(os.path.join(root, layer)):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    path = os.path.join(dirpath, name)
                    yield os.path.relpath(path, root)


def resolve(root, path, inc):
    """The source-relative path an include of `path` names, or None. The
    coordinator/ folder is searched too, so that an include from node/ of a
    coordinator/ header is named as such (the build would not find it)."""
    for d in (os.path.dirname(path), "node", "coordinator"):
        cand = os.path.normpath(os.path.join(d, inc))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def find_cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: layering.py SOURCE_DIR", file=sys.stderr)
        return 2
    root = sys.argv[1]
    passed = failed = 0
    graph = {}

    def check(ok, message):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL " + message)

    files = list(sources(root))
    check(len(files) > 0, "no sources found under %s" % root)
    for path in files:
        layer = path.split(os.sep)[0]
        module = os.path.splitext(path)[0]
        graph.setdefault(module, set())
        check(os.path.dirname(path) != layer,
              "%s: sits directly in %s/; give it a subfolder by concern" % (path, layer))
        with open(os.path.join(root, path), encoding="utf-8") as f:
            lines = f.readlines()
        check(len(lines) <= MAX_LINES,
              "%s: %d lines, more than %d" % (path, len(lines), MAX_LINES))
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            if inc in GENERATED:
                check(GENERATED[inc] == layer or layer == "coordinator",
                      "%s:%d: includes %s, generated for %s/" % (path, n, inc, GENERATED[inc]))
                continue
            target = resolve(root, path, inc)
            if target is None:
                check(False, "%s:%d: include \"%s\" names no file of the tree" % (path, n, inc))
                continue
            if layer == "node":
                check(target.startswith("node" + os.sep),
                      "%s:%d: node/ includes %s; node/ may not depend on coordinator/"
                      % (path, n, target))
            dep = os.path.splitext(target)[0]
            if dep != module:
                graph[module].add(dep)

    for comp in find_cycles(graph):
        check(False, "include circle between modules: " + " <-> ".join(comp))
    check(True, "module include graph read (%d modules)" % len(graph))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
