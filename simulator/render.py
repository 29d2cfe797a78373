"""How the chat shows the bot's messages: as a WhatsApp screen would, in plain text.

Reply buttons become ``[ 1 ] [ 2 ] [ 3 ]`` and lists a numbered menu; each number
maps back to the button or row id, which is what WhatsApp sends when tapped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    """A tappable choice: ``kind`` is "button_reply" or "list_reply"."""

    kind: str
    id: str
    title: str
    description: str = ""


@dataclass
class Rendered:
    lines: list[str]
    options: list[Option] = field(default_factory=list)


def render(payload: dict[str, Any]) -> Rendered:
    kind = payload.get("type", "text")
    content = payload.get(kind) if isinstance(payload.get(kind), dict) else {}
    if kind == "text":
        return Rendered(str(content.get("body", "")).splitlines() or [""])
    if kind == "interactive":
        return _interactive(content)
    if kind in ("image", "audio", "video", "document", "sticker"):
        where = content.get("link") or f"media id {content.get('id')}"
        caption = f" — {content['caption']}" if content.get("caption") else ""
        return Rendered([f"[{kind}: {where}]{caption}"])
    if kind == "location":
        name = content.get("name") or ""
        return Rendered(
            [f"[location: {name} {content.get('latitude')},{content.get('longitude')}]".replace("  ", " ")]
        )
    if kind == "template":
        language = (content.get("language") or {}).get("code", "")
        return Rendered([f"[template message '{content.get('name')}' ({language})]"])
    return Rendered([f"[{kind}] {json.dumps(content, ensure_ascii=False)[:300]}"])


def _interactive(content: dict[str, Any]) -> Rendered:
    lines: list[str] = []
    header = content.get("header")
    if isinstance(header, dict) and header.get("text"):
        lines.append(f"*{header['text']}*")
    lines.extend(str((content.get("body") or {}).get("text", "")).splitlines())
    footer = content.get("footer")
    if isinstance(footer, dict) and footer.get("text"):
        lines.append(f"_{footer['text']}_")
    action = content.get("action") or {}
    options: list[Option] = []
    if content.get("type") == "button":
        for button in action.get("buttons") or []:
            reply = button.get("reply") or {}
            options.append(Option("button_reply", str(reply.get("id")), str(reply.get("title"))))
        lines.append("  ".join(f"[ {n} ] {o.title}" for n, o in enumerate(options, start=1)))
    elif content.get("type") == "list":
        lines.append(f"☰ {action.get('button', 'Menu')}")
        for section in action.get("sections") or []:
            if section.get("title"):
                lines.append(f"  {section['title']}")
            for row in section.get("rows") or []:
                option = Option(
                    "list_reply", str(row.get("id")), str(row.get("title")), str(row.get("description", ""))
                )
                options.append(option)
                detail = f" — {option.description}" if option.description else ""
                lines.append(f"  {len(options):>2}. {option.title}{detail}")
    else:
        lines.append(f"[interactive {content.get('type')}]")
    return Rendered(lines, options)
