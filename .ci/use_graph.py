"""Checks that no file of a crate imports, directly or through other files, a file that imports it.

Nodes are the crate's source files (modules). An edge A -> B means A names an item of B: a `use`
path, an inline `crate::…`/`super::…`/`self::…` path, or an inline path whose first segment is a child
module the file declares with `mod child;` (a parent calling `serve::serve(…)` names serve.rs),
resolved through `pub use` re-exports to the file that defines the item (so `use crate::auth::Principal`
is an edge to auth/principal.rs, not to auth/mod.rs). Re-exports are edges too (a parent's
`pub use child::X` is parent -> child). Unit-test modules (`#[cfg(test)] mod tests { … }`) are left
out: they are not structure.

Usage: python3 .ci/use_graph.py mcp-scopes/src [more crate src dirs or crate root files, such as an
integration test's tests/x.rs] [--only PATH…]; exit 1 and the cycles if any. A folder's lib.rs and
main.rs are two crates, checked one after the other. With `--only`, only cycles that pass through a file under one of the PATHs count (CI
checks the folders that are already acyclic, so they stay so).
"""
import os
import re
import sys

ONLY = []


def strip(src):
    src = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", src, flags=re.S)
    src = re.sub(r"//[^\n]*", "", src)
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', src)


def modules(root, top):
    """module path (tuple) -> file, for the crate whose root file is `top` in folder `root`."""
    out = {}

    def walk(path, file):
        out[path] = file
        src = strip(open(file, encoding="utf-8").read())
        base = os.path.dirname(file)
        stem = os.path.basename(file)[:-3]
        # A crate root (lib.rs, main.rs, an integration test file) and mod.rs keep children beside them.
        child_dir = base if not path or stem in ("lib", "main", "mod") else os.path.join(base, stem)
        for attr, name in re.findall(r"((?:#\[[^\]]*\]\s*)*)(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", src):
            explicit = re.search(r'#\[path\s*=\s*""\]', attr)
            candidates = [os.path.join(child_dir, name + ".rs"), os.path.join(child_dir, name, "mod.rs")]
            if explicit:  # #[path = "…"] (strings were blanked): take the path from the raw text
                raw = open(file, encoding="utf-8").read()
                m = re.search(r'#\[path\s*=\s*"([^"]+)"\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+' + name, raw)
                candidates = [os.path.join(base, m.group(1))] if m else candidates
            for c in candidates:
                if os.path.exists(c):
                    walk(path + (name,), c)
                    break

    walk((), os.path.join(root, top))
    return out


def use_trees(src):
    """Every path named by a `use` (expanded), with whether it is a re-export."""
    out = []
    for vis, body in re.findall(r"(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", src):
        for path in expand(re.sub(r"\s+", "", body)):
            out.append((path, bool(vis)))
    return out


def expand(tree):
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                prefix, inner = tree[:start], tree[start + 1:i]
                parts, d, cur = [], 0, ""
                for c in inner:
                    if c == "," and d == 0:
                        parts.append(cur)
                        cur = ""
                        continue
                    d += c == "{"
                    d -= c == "}"
                    cur += c
                parts.append(cur)
                res = []
                for p in parts:
                    if p:
                        for e in expand(p):
                            res.append(prefix + e if e != "self" else prefix.rstrip(":"))
                return res
    return [tree.split(" as ")[0].split("as")[0] if False else re.sub(r"as\w+$", "", tree)]


def absolute(path, here, children):
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        return tuple(segs[1:])
    cur = list(here)
    if segs[0] in ("self", "super"):
        while segs and segs[0] in ("self", "super"):
            if segs.pop(0) == "super":
                cur = cur[:-1]
        return tuple(cur + segs)
    if segs[0] in children:  # `use child::X` from the parent
        return tuple(cur + segs)
    return None  # another crate


def main(roots):
    # A package with both lib.rs and main.rs is two crates (main.rs reaches the library only by its
    # crate name), so each is a graph of its own: one root module per graph.
    # A file given instead of a folder is a crate root itself (an integration test: tests/tests/x.rs).
    crates = [os.path.split(root) for root in roots if root.endswith(".rs")]
    crates += [(root, top) for root in roots for top in ("lib.rs", "main.rs") if os.path.exists(os.path.join(root, top))]
    bad = 0
    for root, top in crates:
        mods = modules(root, top)
        srcs = {m: strip(open(f, encoding="utf-8").read()) for m, f in mods.items()}
        exports = {}  # (module, name) -> absolute path it re-exports
        for m, src in srcs.items():
            kids = {k[-1] for k in mods if k[:-1] == m and len(k) == len(m) + 1}
            for path, public in use_trees(src):
                if public:
                    a = absolute(path, m, kids)
                    if a:
                        exports[(m, a[-1])] = a

        def resolve(a, seen=0):
            for n in range(len(a), -1, -1):
                if a[:n] in mods:
                    mod, rest = a[:n], a[n:]
                    if rest and (mod, rest[0]) in exports and seen < 20:
                        return resolve(exports[(mod, rest[0])] + rest[1:], seen + 1)
                    return mod
            return None

        edges = {m: set() for m in mods}
        for m, src in srcs.items():
            kids = {k[-1] for k in mods if k[:-1] == m and len(k) == len(m) + 1}
            paths = [p for p, _ in use_trees(src)]
            body = re.sub(r"(pub(?:\([^)]*\))?\s+)?use\s+[^;]+;", "", src)
            paths += re.findall(r"\b(?:crate|super|self)(?:::\w+)+", body)
            # A parent naming an item of a child module it declares, without a `use`: `serve::serve(…)`.
            # Only a path's first segment counts (not `::child::x`, `other::child::x`, `x.child::y`).
            if kids:
                first = "|".join(sorted(map(re.escape, kids)))
                paths += re.findall(r"(?<![\w:.])(?:" + first + r")(?:::\w+)+", body)
            for p in paths:
                a = absolute(p, m, kids)
                t = resolve(a) if a is not None else None
                if t is not None and t != m:
                    edges[m].add(t)
        name = lambda m: mods[m]
        # Tarjan's strongly connected components: any component of more than one file is a cycle.
        index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
        sys.setrecursionlimit(10000)

        def strong(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in edges[v]:
                if w not in index:
                    strong(w)
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
                    comps.append(comp)

        for v in mods:
            if v not in index:
                strong(v)
        if ONLY:
            comps = [c for c in comps if any(mods[m].startswith(tuple(ONLY)) for m in c)]
        for comp in comps:
            bad += 1
            members = set(comp)
            print("CYCLE among:", ", ".join(sorted(name(c) for c in comp)))
            for c in sorted(comp):
                for t in sorted(edges[c] & members):
                    print(f"    {name(c)} -> {name(t)}")
        print(f"{os.path.join(root, top)}: {len(mods)} files, {sum(len(e) for e in edges.values())} edges, {len(comps)} cycles")
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    ONLY = args[args.index("--only") + 1:] if "--only" in args else []
    sys.exit(main(args[: args.index("--only")] if "--only" in args else args))
