#!/usr/bin/env python3
"""The libraries' dependency picture, drawn from the code, and the check that it points one way.

Every `#include "<folder>/..."` in a library's sources and headers is an edge from that library's
folder to <folder>. The allowed edges are LAYERS below (docs/architecture.md): a library may
include only folders listed for it. `--check` (the Architecture.DependenciesPointOneWay test)
fails, naming the file and line, on any other edge, and when docs/architecture.md does not show
the picture the code draws; without it the script prints that picture.

usage: dependency_graph.py <repo root> [--check]
"""
import os
import re
import sys

# Each library folder and the folders it may include (besides itself), lowest layer first.
LAYERS = {
    "core": [],
    "traces": ["core"],
    "gpu": ["core"],
    "checker": ["core"],
    "sim": ["core", "traces", "checker"],
    "harness": ["core", "traces", "gpu", "checker", "sim"],
    "cli": ["core", "traces", "gpu", "checker", "sim", "harness"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/')
SOURCES = (".h", ".cc", ".cu", ".cuh")


def edges(root):
    """{(library, included folder): first 'file:line' that includes it}."""
    found = {}
    for library in LAYERS:
        base = os.path.join(root, library)
        for folder, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith(SOURCES):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m and m.group(1) != library and m.group(1) in LAYERS:
                            where = f"{os.path.relpath(path, root)}:{number}"
                            found.setdefault((library, m.group(1)), where)
    return found


def main():
    root = sys.argv[1]
    check = "--check" in sys.argv[2:]
    found = edges(root)
    picture = "\n".join(
        f"{library:8} -> {', '.join(deps) if deps else '(external libraries only)'}"
        for library in LAYERS
        for deps in [[d for d in LAYERS if (library, d) in found]])
    if check:
        bad = [f"{where}: {lib} includes {dep}/, which {lib} may not depend on "
               f"(allowed: {', '.join(LAYERS[lib]) or 'nothing'})"
               for (lib, dep), where in sorted(found.items()) if dep not in LAYERS[lib]]
        with open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8") as f:
            if f"```\n{picture}\n```" not in f.read():
                bad.append("docs/architecture.md does not show the picture the code draws:\n"
                           + picture)
        print("\n".join(bad) if bad else f"{len(found)} dependencies, all pointing down the layers")
        return 1 if bad else 0
    print(picture)
    return 0


if __name__ == "__main__":
    sys.exit(main())
