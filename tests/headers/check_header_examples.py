#!/usr/bin/env python3
"""Every library header's opening example is code that compiles and runs.

A header opens with what it is for and a short example (STYLE.md). The example is the last block
of lines indented as `//   code` in the header's opening comment. tests/<library>/
header_examples_test.cc holds each example of that library verbatim, between
`// example: <header>` and `// end example`, inside a test that gives it the variables it names and
runs it. This script fails when a header's example and its copy in the tests differ (or no test
has one, or two tests have one), so that the examples users copy cannot rot.

Headers whose opening blocks are not code (a file format sample, a policy's option grammar) are
listed in NOT_CODE with the reason.

usage: check_header_examples.py <repo root> <header list file> <header_examples_test.cc>...
"""
import sys

NOT_CODE = {
    "checker/history.h": "a sample of the history format, not code",
    "core/state_kind_base.h": "the members a state kind type declares (the concept), not a call",
    "sim/policies/naive_policy.h": "the policy's option grammar",
    "sim/policies/replicas_policy.h": "the policy's option grammar",
    "sim/policies/rwttt_policy.h": "the policy's option grammar",
    "sim/policies/sequential_policy.h": "the policy's option grammar",
}


def dedent(lines):
    width = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    return [l[width:].rstrip() for l in lines]


def header_example(path):
    """The last `//   ` block of the opening comment, dedented; [] when there is none."""
    blocks, current = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("//"):
                break
            if line.startswith("//   "):
                current.append(line[2:])
            elif current:
                blocks.append(current)
                current = []
    if current:
        blocks.append(current)
    return dedent(blocks[-1]) if blocks else []


def test_examples(path):
    """{header: dedented lines} from the `// example: H` ... `// end example` blocks."""
    examples, name, body = {}, None, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("// example: "):
                name, body = stripped[len("// example: "):], []
            elif stripped == "// end example":
                if name is None:
                    sys.exit(f"{path}:{number}: `// end example` without `// example:`")
                if name in examples:
                    sys.exit(f"{path}:{number}: a second example of {name}")
                examples[name] = dedent(body)
                name = None
            elif name is not None:
                body.append(line.rstrip("\n"))
    return examples


def all_test_examples(paths):
    """{header: (dedented lines, test file)} merged from every test file; a header's example in
    two files is an error."""
    merged = {}
    for path in paths:
        for header, lines in test_examples(path).items():
            if header in merged:
                sys.exit(f"{path}: an example of {header}, which {merged[header][1]} has too")
            merged[header] = (lines, path)
    return merged


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    root, header_list, test_files = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(header_list, encoding="utf-8") as f:
        headers = sorted({h.strip() for h in f if h.strip()})
    found = all_test_examples(test_files)
    copies = {header: lines for header, (lines, _) in found.items()}
    problems = []
    for header in headers:
        want = header_example(f"{root}/{header}")
        if header in NOT_CODE:
            if header in copies:
                problems.append(f"{header}: listed as not code, yet the test has its example")
            continue
        if not want:
            problems.append(f"{header}: its opening comment has no `//   ` example")
        elif header not in copies:
            folder = header.split("/")[0]
            problems.append(f"{header}: no `// example: {header}` block in "
                            f"tests/{folder}/header_examples_test.cc")
        elif copies[header] != want:
            diff = "\n".join(f"    header: {a!r}\n    test:   {b!r}"
                             for a, b in zip(want + [""] * 9, copies[header] + [""] * 9)
                             if a != b)
            problems.append(f"{header}: the example differs from its copy in {found[header][1]}"
                            f"\n{diff}")
    for header, (_, path) in found.items():
        if header not in headers:
            problems.append(f"{path}: an example of {header}, which is not a library header")
    for p in problems:
        print(p)
    print(f"{len(headers)} headers, {len(copies)} examples compiled, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
