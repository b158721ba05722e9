#!/usr/bin/env python3
"""Every program the demo, tests and benchmarks call is installed by scripts/setup.sh.

Two checks, so that a fresh Debian 12 machine never meets a missing program half-way through a run:
1. every program in setup.sh's `tools` list is on PATH (`setup.sh --check`);
2. every external program a script or an integration test calls (the first word of each command in
   scripts/, bench/ and tests/ shell scripts, and of each Sh("...") in the integration tests) is in that list,
   or is part of an Essential package (coreutils and the like) that every Debian system has.
Exit 1 naming each program and where it is called.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Programs of Debian's Essential packages (coreutils, bash, util-linux's basics, diffutils, hostname...):
# present on every Debian system, minbase included.
ESSENTIAL = set("""
basename cat chmod chown cp cut date dd df dirname du echo env expr false head id install kill ln ls mkdir
mkfifo mknod mktemp mv nproc od printf pwd readlink realpath rm rmdir seq sleep sort stat sync tail tee test
timeout touch tr true truncate uname uniq wc xargs yes diff cmp bash sh hostname nice nohup
""".split())

SHELL_WORDS = set("""
if then else elif fi for while until do done case esac in function select time ! [[ ]] { } [ ( ) ;;
break continue return exit export local declare readonly set unset shift trap cd source . eval exec wait
read printf echo true false command type builtin let test ulimit umask getopts pushd popd mapfile shopt
""".split())


def tools_list():
    text = (ROOT / "scripts/setup.sh").read_text()
    block = re.search(r"^tools=\((.*?)^\)", text, re.S | re.M).group(1)
    block = re.sub(r"#.*", "", block)
    return {entry.split(":")[0] for entry in block.split()}


def shell_commands(path):
    """(word, line number) for the first word of each simple command of a shell script."""
    text = path.read_text()
    functions = set(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)", text, re.M))
    out = []
    in_heredoc = None
    lines = text.splitlines()
    for i in range(len(lines) - 1):  # a continued line is the end of the one before
        if lines[i].endswith("\\"):
            lines[i], lines[i + 1] = lines[i][:-1] + " " + lines[i + 1], ""
    for n, line in enumerate(lines, 1):
        if in_heredoc:
            if line.strip() == in_heredoc:
                in_heredoc = None
            continue
        m = re.search(r"<<-?\s*'?\"?([A-Za-z_]+)", line)
        if m:
            in_heredoc = m.group(1)
        line = re.sub(r"(^|\s)#.*", "", line)
        line = re.sub(r"'[^']*'", "''", line)  # single-quoted text is data (awk programs, messages)
        line = re.sub(r"\$\{[^}]*\}", "", line)  # parameter expansions (messages in ${X:?...})
        # Double-quoted text is data too, but for the commands it substitutes.
        line = re.sub(r'"[^"]*"', lambda m: "".join(";" + c + ";" for c in re.findall(r"\$\(([^()]*)\)", m.group(0))) or '""', line)
        line = re.sub(r"\(\(.*?\)\)", "", line)  # arithmetic
        line = re.sub(r"^\s*[A-Za-z0-9_.*\[\]| -]+\)", "", line)  # a case pattern
        line = re.sub(r"\b[A-Za-z_][A-Za-z0-9_]*\+?=\([^)]*\)", "", line)  # an array
        for segment in re.split(r"\|\||&&|[;|&`]|\$\(|\(|\bthen\b|\bdo\b|\belse\b", line):
            words = segment.split()
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", words[0]):
                words.pop(0)  # assignments before a command
            if not words:
                continue
            w = words[0].strip('"')
            if (not w or w in SHELL_WORDS or w in functions or w.startswith(("$", '"', "-", "<", ">", "{", "}", "[", "]"))
                    or not re.match(r"^[A-Za-z0-9_./+-]+$", w) or w[0].isdigit()):
                continue
            out.append((w, n))
    return out


def cc_commands(path):
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        for m in re.finditer(r'\bSh(?:Json)?\((?:std::string\()?"([^"\\ ]+)', line):
            out.append((m.group(1), n))
    return out


def main():
    problems = []
    check = subprocess.run([str(ROOT / "scripts/setup.sh"), "--check"], capture_output=True, text=True)
    if check.returncode != 0:
        problems.append(check.stderr.strip())
    tools = tools_list()
    names = tools | {t.rsplit("/", 1)[-1] for t in tools}
    scripts = [p for d in ("scripts", "bench", "tests/integration", "tests/integration/guest", "tests/tools")
               for p in sorted((ROOT / d).glob("*.sh")) if p.name != "setup.sh"]
    sources = sorted((ROOT / "tests/integration").glob("*.cc"))
    seen = {}
    for path, calls in [(p, shell_commands(p)) for p in scripts] + [(p, cc_commands(p)) for p in sources]:
        for word, n in calls:
            if "/" in word and not word.startswith("/"):
                continue  # the repository's own scripts and build outputs
            base = word.rsplit("/", 1)[-1]
            if word in names or base in names or base in ESSENTIAL or word in SHELL_WORDS:
                continue
            if base in ("berth", "for", "cd"):
                continue
            seen.setdefault(word, []).append(f"{path.relative_to(ROOT)}:{n}")
    for word, where in sorted(seen.items()):
        problems.append(f"{word}: called at {', '.join(where[:3])} but not in scripts/setup.sh's tools list")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"all {len(tools)} programs present; every program the scripts and tests call is listed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
