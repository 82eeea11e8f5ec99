"""Parse pages as a browser would and fail on any HTML5 parse error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib


def parse(text: str) -> ET.Element:
    """The document tree; raises html5lib's ParseError on anything a strict HTML5 parser rejects."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def find_all(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(tag))


def headings(root: ET.Element) -> list[int]:
    return [int(element.tag[1]) for element in root.iter() if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
