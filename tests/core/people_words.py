"""What a page shows people that is a key or an unformatted number (tests/core/test_people_words.py)."""

import re
from html.parser import HTMLParser

# Text inside these is code, a form's own values or not shown: keys and raw numbers are fine there.
SKIPPED = {"script", "style", "code", "pre", "select", "textarea", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PATTERNS = {
    "a key": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),
    "a key=value string": re.compile(r"\b[a-z_]{2,}=\S"),
    "a number with 6+ significant decimals": re.compile(r"\b\d+\.0*[1-9]\d{5,}\b"),
    # (a percentage keeps its column's one decimal: "+5.0%")
    "a whole number written with .0": re.compile(r"(?<![\d.])\d+\.0(?![\d.%])"),
    "an ISO date": re.compile(r"\b\d{4}-\d\d-\d\d\b"),
}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED or self.skipping and tag not in VOID:
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems(html: str, allowed: set[str]) -> list[str]:
    """Each raw key or unformatted number in the page's text, as "kind: 'match' in '...context...'"."""
    text = visible_text(html)
    found = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            word = match.group(0)
            if word in allowed or any(part in allowed for part in re.findall(r"\w+", word)):
                continue
            if text[match.end() : match.end() + 1] == "…" and any(name.startswith(word) for name in allowed):
                continue  # a data name cut short
            context = text[max(0, match.start() - 40) : match.end() + 40]
            found.append(f"{kind}: {match.group(0)!r} in {context!r}")
    return found


class _Options(HTMLParser):
    """The text of each ``<option>`` and each ``<time>`` tag's attributes."""

    def __init__(self):
        super().__init__()
        self.options: list[str] = []
        self.times: list[dict] = []
        self.in_option = False

    def handle_starttag(self, tag, attrs):
        if tag == "option":
            self.in_option = True
            self.options.append("")
        elif tag == "time":
            self.times.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "option":
            self.in_option = False

    def handle_data(self, data):
        if self.in_option:
            self.options[-1] += data


# What a menu's choice reads as: the scale's numbers as the page writes them ("1", "0.5"), not "1.0".
OPTION_PATTERNS = {
    key: PATTERNS[key] for key in ("a number with 6+ significant decimals", "a whole number written with .0")
}


def form_problems(html: str) -> list[str]:
    """Menu choices that read as raw numbers, and dates without their exact moment as a tooltip."""
    parser = _Options()
    parser.feed(html)
    found = []
    for option in parser.options:
        text = " ".join(option.split())
        for kind, pattern in OPTION_PATTERNS.items():
            if pattern.search(text):
                found.append(f"a menu choice with {kind[2:]}: {text!r}")
    for attrs in parser.times:
        if not attrs.get("title"):
            found.append(
                f"a date without its exact moment as a tooltip: <time datetime={attrs.get('datetime')!r}>"
            )
    return found
