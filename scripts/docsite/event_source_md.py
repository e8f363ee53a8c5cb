"""The reference page of an EDA event source, as Markdown, from the documentation ansible-doc reads.

antsibull-docs renders modules and other ansible-core plugins but not EDA event sources, which live in
extensions/eda/. ansible-doc can still read an event source's DOCUMENTATION and EXAMPLES when pointed at
its folder (as galaxy-importer does), so the page is generated from the same data, and the Ansible markup
in it (O(), V(), C(), E()...) is converted with antsibull-docs' own parser.
"""

from __future__ import annotations

from antsibull_docs_parser import dom
from antsibull_docs_parser.md import to_md
from antsibull_docs_parser.parser import Context, parse


def markup(text: object, fqcn: str) -> str:
    """Ansible markup (a string or a list of paragraphs) as Markdown; errors fail the build."""
    if text is None:
        return ""
    paragraphs = [text] if isinstance(text, str) else list(text)
    context = Context(current_plugin=dom.PluginIdentifier(fqcn=fqcn, type="event_source"))
    return to_md(parse(paragraphs, context, errors="exception"), current_plugin=context.current_plugin)


def _type(option: dict) -> str:
    kind = option.get("type", "str")
    if kind == "list" and option.get("elements"):
        return f"list of {option['elements']}"
    return kind


def _facts(option: dict) -> str:
    facts = [f"**Type:** {_type(option)}"]
    if option.get("required"):
        facts.append("**Required**")
    if option.get("default") is not None:
        facts.append(f"**Default:** `{option['default']}`")
    if option.get("choices"):
        facts.append("**Choices:** " + ", ".join(f"`{choice}`" for choice in option["choices"]))
    if option.get("aliases"):
        facts.append("**Aliases:** " + ", ".join(f"`{alias}`" for alias in option["aliases"]))
    return " · ".join(facts)


def _options(options: dict, fqcn: str, prefix: str, level: int) -> list[str]:
    lines = []
    for name in sorted(options):
        option = options[name]
        heading = f"{'#' * level} `{prefix}{name}`"
        lines += [heading, "", _facts(option), "", markup(option.get("description"), fqcn), ""]
        if option.get("suboptions"):
            separator = "[]." if option.get("type") == "list" else "."
            lines += _options(option["suboptions"], fqcn, f"{prefix}{name}{separator}", min(level + 1, 6))
    return lines


def render(fqcn: str, plugin: dict) -> str:
    """The whole page for one event source; ``plugin`` is ansible-doc's JSON entry (doc, examples)."""
    doc = plugin["doc"]
    lines = [
        f"# {fqcn} event source: {markup(doc.get('short_description', ''), fqcn)}",
        "",
        markup(doc.get("description"), fqcn),
        "",
        "## Options",
        "",
        *_options(doc.get("options") or {}, fqcn, "", 3),
    ]
    if doc.get("notes"):
        lines += ["## Notes", ""]
        lines += [f"- {markup(note, fqcn)}" for note in doc["notes"]]
        lines.append("")
    if (plugin.get("examples") or "").strip():
        lines += ["## Examples", "", "```yaml", plugin["examples"].strip("\n"), "```", ""]
    return "\n".join(lines)
