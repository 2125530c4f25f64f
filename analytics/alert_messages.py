"""What an alert says and how it is sent: the summary kept with each episode, the e-mail (HTML
and text) and the webhook payloads (json, Slack, Teams) made from it, and the sender that tries
one channel and returns its error as one line instead of raising.

The summary is plain JSON kept in the store, so a delivery retried a day later sends the message
of the moment the rule fired, in the rule's language (``ui``, kept in the summary; a summary
without one is English): its texts are made, and the messages rendered, inside
``analytics.i18n.language``, while the JSON payload's keys and figures stay the same in both.

Titles and URLs come from stored feeds: the HTML escapes them, only http(s) URLs become links, and
Slack and Teams markup is escaped the same way.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from datetime import date, timedelta
from urllib.parse import urlencode

from analytics.errors import BilatError
from analytics.i18n import DEFAULT_LANGUAGE, _, format_day, format_number, language, ngettext

TOP_STORIES = 5
CONTEXT_DAYS = 28  # the dashboard link shows this many days before the alert, for comparison
_PAGE = {"volume_spike": "spikes", "tone_shift": "spikes", "share": "", "net_tone": "tone"}
_FREQ = {"D": "day", "W": "week"}
_WEB = re.compile(r"^https?://\S+$", re.IGNORECASE)


def base_url(secrets: Mapping | None = None) -> str | None:
    """The dashboard's address for links: BILAT_BASE_URL, or ``base_url`` in the secrets file's
    ``[bilat]`` table; None when neither is set or it is not an http(s) address."""
    from analytics.mail import secrets_file

    value = os.environ.get("BILAT_BASE_URL", "").strip()
    if not value:
        try:
            table = (secrets_file() if secrets is None else secrets).get("bilat", {})
        except BilatError:
            return None
        value = str(table.get("base_url", "")).strip() if isinstance(table, Mapping) else ""
    return value.rstrip("/") if _WEB.match(value) else None


def dashboard_link(base: str | None, rule, start: date, end: date) -> str | None:
    """The page that shows what the rule watches, with its filters as the sidebar's URL parameters."""
    if base is None:
        return None
    page = _PAGE[rule.metric if rule.kind == "threshold" else rule.kind]
    params: list[tuple[str, str]] = [("pair", rule.pair), ("from", (start - timedelta(days=CONTEXT_DAYS)).isoformat()),
                                     ("to", end.isoformat())]  # fmt: skip
    if rule.theme:
        params.append(("theme", rule.theme))
    if rule.source_country:
        params.append(("source", rule.source_country))
    if rule.language:
        params.append(("lang", rule.language))
    if rule.kind != "threshold":
        params.append(("freq", _FREQ[rule.freq]))
    params.append(("ui", getattr(rule, "ui", DEFAULT_LANGUAGE)))  # the page opens in the message's language
    return f"{base}/{page}?{urlencode(params)}"


def top_stories(store, source, rule, start: date, end: date, top: int = TOP_STORIES) -> list[dict]:
    """The most reprinted stories of the rule's selection from ``start`` to ``end`` (the Spikes
    page's drivers), with title, URL, outlet, day and copies from the store."""
    from analytics.measures import spikes
    from analytics.selection import Selection

    sel = Selection(rule.filters, "D", (start, end))
    rows = store.article_rows(spikes.title_rows(source, sel, start, end))
    drivers = spikes.spike_drivers(source, sel, start, end, titles=rows[["n", "title"]], top=top)
    url_of = dict(zip(rows["n"], rows["url"], strict=True))
    return [
        {"title": str(row.title) if isinstance(row.title, str) else _("(no title)"), "url": str(url_of.get(row.n, "")),
         "outlet": str(row.outlet), "published": row.published.date().isoformat(), "copies": int(row.copies)}
        for row in drivers.top_articles.itertuples(index=False)
    ]  # fmt: skip


def summary(store, source, rule, finding, base: str | None, checked_at: str) -> dict:
    """The alert as a JSON-ready document: what moved, by how much, the top stories and the link;
    its texts (selection, untitled stories) in the rule's language, like the finding's headline."""
    ui = getattr(rule, "ui", DEFAULT_LANGUAGE)
    with language(ui):
        return {
            "rule": rule.id,
            "kind": rule.kind,
            "pair": rule.pair,
            "ui": ui,
            "selection": rule.filters.describe(),
            "headline": finding.headline,
            "start": finding.start.isoformat(),
            "end": finding.end.isoformat(),
            "facts": finding.facts,
            "stories": top_stories(store, source, rule, finding.start, finding.end),
            "link": dashboard_link(base, rule, finding.start, finding.end),
            "checked_at": checked_at,
        }


# --- rendering ---------------------------------------------------------------------------


def _web(url: str) -> bool:
    return bool(_WEB.match(url or ""))


def _day(iso: str) -> str:
    """A stored ISO day as a message shows it (:func:`analytics.i18n.format_day`)."""
    return format_day(date.fromisoformat(iso))


def _copies(story: Mapping) -> str:
    n = story["copies"]
    return ngettext(", {n} copy", ", {n} copies", n).format(n=format_number(n)) if n > 1 else ""


def email(summary: Mapping) -> tuple[str, str, str]:
    """``(subject, html, text)`` of the alert e-mail, in the summary's language."""
    with language(summary.get("ui", DEFAULT_LANGUAGE)):
        return _email_texts(summary)


def _email_texts(summary: Mapping) -> tuple[str, str, str]:
    subject = f"[bilat] {summary['headline']}"
    selection = _("Selection: {selection}").format(selection=summary["selection"])
    days = _("Days: {start} to {end}").format(start=_day(summary["start"]), end=_day(summary["end"]))
    lines = [summary["headline"], "", selection, days]
    parts = [f"<p><strong>{html.escape(summary['headline'])}</strong></p>",
             f"<p>{html.escape(selection)}<br>{html.escape(days)}</p>"]  # fmt: skip
    if summary["stories"]:
        heading = _("Top stories:")
        lines += ["", heading]
        items = []
        for story in summary["stories"]:
            title, url = story["title"], story["url"]
            where = f"{story['outlet']}, {_day(story['published'])}{_copies(story)}"
            lines.append(f"- {title} ({where})" + (f"\n  {url}" if url else ""))
            label = html.escape(title)
            if _web(url):
                label = f'<a href="{html.escape(url, quote=True)}">{label}</a>'
            items.append(f"<li>{label} ({html.escape(where)})</li>")
        parts.append(f"<p>{html.escape(heading)}</p><ul>" + "".join(items) + "</ul>")
    if summary["link"]:
        lines += ["", _("Open the dashboard: {link}").format(link=summary["link"])]
        parts.append(
            f'<p><a href="{html.escape(summary["link"], quote=True)}">{html.escape(_("Open the dashboard"))}</a></p>'
        )
    else:
        lines += ["", _("(Set BILAT_BASE_URL to get a link to the dashboard in this message.)")]
    footer = _("Rule {rule} of bilat's alerts, checked at {checked_at}.").format(
        rule=summary["rule"], checked_at=summary["checked_at"]
    )
    lines += ["", footer]
    parts.append(f"<p><small>{html.escape(footer)}</small></p>")
    return subject, "<html><body>" + "\n".join(parts) + "</body></html>", "\n".join(lines) + "\n"


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_url(url: str) -> str:
    return _slack(url).replace("|", "%7C")


def _teams_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29")


def _teams(text: str) -> str:
    return re.sub(r"([\\`*_\[\]()#<>])", r"\\\1", text)


def webhook_payload(fmt: str, summary: Mapping) -> dict:
    """The JSON document POSTed to a webhook: ``json`` (the summary itself, with ``type``),
    ``slack`` (``text`` and Block Kit ``blocks``) or ``teams`` (an Office 365 MessageCard). Keys and
    figures are the same in every language; the texts are in the summary's."""
    with language(summary.get("ui", DEFAULT_LANGUAGE)):
        return _payload(fmt, summary)


def _payload(fmt: str, summary: Mapping) -> dict:
    stories = summary["stories"]
    if fmt == "json":
        return {"type": "bilat.alert", **summary}
    if fmt == "slack":
        listed = "\n".join(
            f"• <{_slack_url(s['url'])}|{_slack(s['title']).replace('|', '/')}> ({_slack(s['outlet'])})"
            if _web(s["url"])
            else f"• {_slack(s['title'])} ({_slack(s['outlet'])})"
            for s in stories
        )  # fmt: skip
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack(summary['headline'])}*"}}]
        if listed:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _("Top stories:") + "\n" + listed}})
        if summary["link"]:
            blocks.append(
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": f"<{_slack_url(summary['link'])}|{_slack(_('Open the dashboard'))}>",
                    },
                }
            )
        return {"text": summary["headline"], "blocks": blocks}
    if fmt == "teams":
        listed = "\n\n".join(
            f"- [{_teams(s['title'])}]({_teams_url(s['url'])}) ({_teams(s['outlet'])})" if _web(s["url"])
            else f"- {_teams(s['title'])} ({_teams(s['outlet'])})"
            for s in stories
        )  # fmt: skip
        card = {"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": summary["headline"],
                "themeColor": "0072B2", "title": _teams(summary["headline"]),
                "sections": [{"activityTitle": _teams(summary["selection"]),
                              "text": listed or _("No stories.")}]}  # fmt: skip
        if summary["link"]:
            card["potentialAction"] = [{"@type": "OpenUri", "name": _("Open the dashboard"),
                                        "targets": [{"os": "default", "uri": summary["link"]}]}]  # fmt: skip
        return card
    raise ValueError(f"unknown webhook format {fmt!r}")


# --- sending -----------------------------------------------------------------------------


class Sender:
    """Sends alerts to channels. The SMTP settings are read once, at the first e-mail; a problem
    with them is that delivery's error, like any other."""

    def __init__(self, *, secrets: Mapping | None = None, timeout: float = 10.0) -> None:
        self.secrets = secrets
        self.timeout = timeout
        self._smtp = None

    def send(self, channel, summary: Mapping) -> str | None:
        """Send ``summary`` to ``channel``; None when delivered, else the reason in one line."""
        try:
            if channel.kind == "email":
                self._email(channel.target, summary)
            else:
                self._webhook(channel.kind, channel.target, summary)
        except BilatError as exc:
            return str(exc)
        except Exception as exc:  # a delivery must never take the check (or the pull) down with it
            return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:500]
        return None

    def _email(self, address: str, summary: Mapping) -> None:
        from analytics.mail import send_mail, smtp_settings

        if self._smtp is None:
            self._smtp = smtp_settings(self.secrets)
        subject, body, text = email(summary)
        send_mail(self._smtp, [address], subject, body, text, timeout=self.timeout)

    def _webhook(self, fmt: str, url: str, summary: Mapping) -> None:
        import httpx

        if not _web(url):
            raise BilatError(f"webhook url {url!r} is not an http(s) address")
        try:
            response = httpx.post(url, json=webhook_payload(fmt, summary), timeout=self.timeout, follow_redirects=False)
        except httpx.TimeoutException:
            raise BilatError(f"the webhook {url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise BilatError(
                f"the webhook {url} is unreachable ({' '.join(str(exc).split()) or type(exc).__name__})"
            ) from None
        if not 200 <= response.status_code < 300:
            raise BilatError(f"the webhook {url} answered HTTP {response.status_code}")
