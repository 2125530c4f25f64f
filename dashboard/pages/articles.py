"""Articles page: the selected articles as a table, and the explanation of one article's tags."""

from __future__ import annotations

import streamlit as st

from analytics.enrich import enrich, enrichment_version
from analytics.errors import InputError, StoreError
from analytics.i18n import N_, _, format_number, ngettext
from analytics.schema import theme_label
from analytics.search import MAX_QUERY_CHARS, MAX_TERMS, parse_query, snippet_text
from analytics.sentiment import tone_label
from analytics.settings import local_zone, shown_time
from analytics.store import Store
from dashboard import export
from dashboard.data import ARTICLE_LIMIT, article_table, stored_article
from dashboard.panel import span
from dashboard.safe import md_escape, md_snippet, safe_url
from dashboard.state import current_view

SNIPPETS_SHOWN = 5  # the best matches shown with their hits marked, above the table

view = current_view()
zone = local_zone()  # times are shown where the days begin (BILAT_TZ)
search = st.text_input(
    _("Search articles"), key="q", bind="query-params", placeholder=_('peru "trade deal" -china'),
    help=_(
        "Searches titles and texts; case and accents do not matter (peru finds Perú). Every word must "
        'appear; "a quoted phrase" must appear as written; OR between two terms takes either; -word '
        "leaves out articles that have it; word* matches words that begin so. Best matches first. "
        "At most {chars} characters and {terms} terms."
    ).format(chars=MAX_QUERY_CHARS, terms=MAX_TERMS),
)  # fmt: skip
try:
    query = parse_query(search) if search.strip() else None
    rows, total, capped = article_table(view.info.path, view.analysis.root, view.analysis.stamp, view.filters, search)
except (InputError, StoreError) as exc:
    st.warning(_("The search did not run: {error}.").format(error=md_escape(str(exc))), icon=":material/search_off:")
    st.stop()
shown = _("the best {n} shown") if query else _("the newest {n} shown")
st.caption(
    md_escape(view.filters.describe())
    + ("; " + _("search: {query}").format(query=md_escape(query.describe())) if query else "")
    + " — "
    + ngettext("{n} article", "{n} articles", total).format(n=format_number(total))
    + (", " + shown.format(n=format_number(ARTICLE_LIMIT)) if total > ARTICLE_LIMIT else "")
)
if capped:
    st.caption(
        _("Only the store's {n} best matches were searched; add words to narrow the search.").format(
            n=format_number(Store.SEARCH_LIMIT)
        )
    )
if query and not rows.empty:
    best = rows.head(SNIPPETS_SHOWN)
    lines = [f"1. {md_escape(t)}: {md_snippet(s)}" for t, s in zip(best["title"], best["snippet"], strict=True)]
    st.markdown("\n".join(lines))
    rows = rows.assign(snippet=rows["snippet"].map(snippet_text))

if rows.empty:
    st.info(_("No articles match these filters. Widen the dates, remove a filter or change the search."))
    st.stop()

table = rows.assign(url=rows["url"].map(safe_url), published=rows["published"].map(lambda t: shown_time(t, zone)))
columns = ["published", "outlet", "source_country", "title", "url", "language", "themes", "countries", "tone"]
event = st.dataframe(
    table[columns[:4] + ["snippet"] + columns[4:] if query else columns],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="articles_table",
    column_config={
        "published": _("Published ({zone})").format(zone=zone.key),
        "outlet": _("Outlet"),
        "source_country": _("Source"),
        "title": st.column_config.TextColumn(_("Title"), width="large"),
        "snippet": st.column_config.TextColumn(_("Match"), width="large"),
        "url": st.column_config.LinkColumn(_("Link"), display_text=_("open")),
        "language": _("Lang."),
        "themes": _("Themes"),
        "countries": _("Countries"),
        "tone": st.column_config.NumberColumn(_("Tone"), format="%+.2f", help=_("VADER compound, −1 to +1")),
    },
)
first, last = span(view)
listed = export.article_download(rows)
csv_col, xlsx_col, _rest = st.columns([1, 1, 6])
for col, ext, make, mime in (
    (csv_col, "csv", lambda: export.csv_bytes(listed), "text/csv"),
    (xlsx_col, "xlsx", lambda: export.xlsx_bytes(listed, sheet="articles", created=view.info.last_success),
     export.XLSX_MIME),
):  # fmt: skip
    col.download_button(
        ext.upper(), data=make, file_name=export.file_name("articles", view.filters, ext, first=first, last=last),
        mime=mime, key=f"{ext}-articles", icon=":material/download:", on_click="ignore",
        help=_("The articles listed above, with their full publication time in UTC."),
    )  # fmt: skip
selected = event.selection.rows if event and event.selection else []
if selected:
    st.query_params["article"] = rows.loc[selected[0], "id"]
article_id = st.query_params.get("article")
if not article_id:
    st.caption(_("Select a row to see why the article got its countries, themes and tone."))
    st.stop()

article = stored_article(view.info.path, article_id)
if article is None:
    st.warning(_("The article in the link is not in this store."))
    st.stop()

st.divider()
st.subheader(md_escape(article["title"]))
when = shown_time(article["published"], zone)
country = article["source_country"] or _("unknown country")
meta = f"{article['outlet']} ({country}) · {when}"
st.caption(md_escape(meta))
link = safe_url(article["url"])
if link and ".invalid/" not in link:  # demo articles have addresses that lead nowhere
    st.link_button(_("Open the original"), link, icon=":material/open_in_new:")
explained = enrich(article["title"], article["text"], language=article["language"]).to_json(explain=True)
if article["version"] != enrichment_version():
    st.info(
        _(
            "Stored with enrichment {stored}; explained with the current {current}. "
            "Run `bilat enrich` to bring the store up to date."
        ).format(stored=md_escape(str(article["version"])), current=enrichment_version())
    )

# How a country was named (analytics.countries.KINDS), as the explanation shows it.
MATCH_KINDS = {"name": N_("name"), "short": N_("short name"), "demonym": N_("demonym"), "capital": N_("capital")}

left, middle, right = st.columns(3)
with left:
    st.markdown("**" + _("Countries") + "**")
    if not explained["explain"]["countries"]:
        st.caption(_("No country named."))
    for m in explained["explain"]["countries"]:
        where = _("title") if m["in_title"] else _("text")
        kind = _(MATCH_KINDS.get(m["kind"], m["kind"]))
        st.markdown(f"`{m['code']}` ← “{md_escape(m['matched'])}” ({kind}, {where})")
    st.markdown("**" + _("Dyads:") + "** " + (", ".join(explained["dyads"]) or _("none")))
with middle:
    st.markdown("**" + _("Themes") + "**")
    if not explained["explain"]["themes"]:
        st.caption(_("No theme term found."))
    for t in explained["explain"]["themes"]:
        kept = _("tagged") if t["theme"] in explained["themes"] else _("below the threshold")
        shown = dict.fromkeys(f"“{md_escape(h['matched'])}” ({h['weight']:g})" for h in t["terms"])
        terms = ", ".join(shown)
        score = _("score {score}").format(score=f"{t['score']:g}")
        st.markdown(f"**{theme_label(t['theme'])}** — {score}, {kept}: {terms}")
with right:
    st.markdown("**" + _("Tone") + "**")
    sentiment = explained["sentiment"]
    st.markdown(
        _(tone_label(sentiment))
        + (f" ({sentiment:+.2f})" if sentiment is not None else " " + _("(no scorer for this language)"))
    )
    for s in explained["explain"]["tone"]:
        if s["compound"] is None:
            continue
        words = ", ".join(f"{md_escape(w['word'])} {w['valence']:+.1f}" for w in s["words"]) or _("no tone words")
        st.markdown(f"{s['compound']:+.2f} — {words}")
with st.expander(_("Text as stored")):
    st.text(article["text"] or _("(the source gave no text)"))
