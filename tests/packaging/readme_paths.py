"""What a Markdown page of the tarball names: links, repository paths and make targets, with the context.

A paragraph (or a code block, or the paragraph just before it) that speaks of a clone of the source
repository is a *source* context: its paths must exist in the repository and its `make` targets in the
Makefile. Everywhere else is the *Galaxy* context of a user who installed the tarball: every path must be in
the tarball, and there is no Makefile. Lines that install something (`ansible-galaxy collection install`,
`pip install`) name files the user downloads, not files of the collection, and are left alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Folders the development set-up creates (never committed, never shipped).
GENERATED = frozenset({"build", "dist", ".venv", "reports"})
SOURCE_CONTEXT = re.compile(r"\bclones?\b|source repository|source checkout|CONTRIBUTING\.md", re.IGNORECASE)
INSTALL_LINE = re.compile(r"ansible-galaxy collection install|pip install")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
MAKE = re.compile(r"(?:^|[\s;&|(])make\s+([a-z][\w-]*)")
SEPARATORS = re.compile(r"[\s=,;()'\"{}\[\]|>]+")
URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A paragraph or a fenced code block, with its first line number and whether it is a source context."""

    text: str
    line: int
    code: bool
    source: bool


def blocks(markdown: str) -> Iterator[Block]:
    """Paragraphs and fenced code blocks; a code block inherits the source context of the paragraph before."""
    lines = markdown.splitlines()
    index = 0
    previous_source = False
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("```"):
            start = index
            index += 1
            while index < len(lines) and not lines[index].lstrip().startswith("```"):
                index += 1
            text = "\n".join(lines[start + 1:index])
            yield Block(text, start + 1, True, previous_source or bool(SOURCE_CONTEXT.search(text)))
            index += 1
            continue
        if not line.strip():
            index += 1
            continue
        start = index
        while index < len(lines) and lines[index].strip() and not lines[index].lstrip().startswith("```"):
            index += 1
        text = "\n".join(lines[start:index])
        previous_source = bool(SOURCE_CONTEXT.search(text))
        yield Block(text, start + 1, False, previous_source)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def path_tokens(text: str, top_level: set[str]) -> Iterator[str]:
    """Tokens of ``text`` that name a path of the repository (they start with one of its top-level names)."""
    for line in text.splitlines():
        if INSTALL_LINE.search(line):
            continue
        for token in SEPARATORS.split(line):
            token = token.strip("`").rstrip(".:,;")
            if token.startswith("./"):
                token = token[2:]
            if not token or URL.match(token) or any(mark in token for mark in ("{{", "<", "$", "~", "*", "#")):
                continue
            first = token.split("/", 1)[0]
            if first in top_level and ("/" in token or first == token):
                yield token.rstrip("/")


@dataclass(frozen=True)
class Tree:
    """The files of the tarball or of the repository, and the folders that hold them."""

    files: frozenset[str]

    def has(self, path: str) -> bool:
        prefix = path + "/"
        return path in self.files or any(name.startswith(prefix) for name in self.files)

    def has_suffix(self, path: str) -> bool:
        """``path`` is in the tree, maybe below a folder (``controller/x.yml`` for ``rulebooks/controller/x.yml``)."""
        return self.has(path) or any(name.endswith("/" + path) or ("/" + path + "/") in name for name in self.files)


def problems(name: str, markdown: str, tarball: Tree, repository: Tree, top_level: set[str],
             make_targets: set[str]) -> list[str]:
    """Every link, path or make target of page ``name`` that a reader of its context could not follow."""
    found = []
    anchors = {slug(line.lstrip("#")) for line in markdown.splitlines() if line.startswith("#")}
    folder = posixpath.dirname(name)
    for block in blocks(markdown):
        where = f"{name}:{block.line}"
        if not block.code:
            for target in LINK.findall(block.text):
                if URL.match(target):
                    continue
                if target.startswith("#"):
                    if target[1:] not in anchors:
                        found.append(f"{where}: link to a missing heading {target}")
                    continue
                path = posixpath.normpath(posixpath.join(folder, target.split("#", 1)[0]))
                if not tarball.has(path):
                    found.append(f"{where}: links to {target}, which the tarball does not contain")
        snippets = [block.text] if block.code else CODE_SPAN.findall(block.text)
        for snippet in snippets:
            for target in MAKE.findall(snippet):
                if not block.source:
                    found.append(f"{where}: `make {target}` for a reader without a clone (no Makefile in the tarball)")
                elif target not in make_targets:
                    found.append(f"{where}: `make {target}` is not a target of the Makefile")
            for path in path_tokens(snippet, top_level):
                if block.source:
                    if path.split("/", 1)[0] not in GENERATED and not repository.has_suffix(path):
                        found.append(f"{where}: {path} is not in the repository")
                elif not tarball.has_suffix(path):
                    found.append(f"{where}: {path} is not in the tarball (only in a clone, or nowhere)")
    return found
