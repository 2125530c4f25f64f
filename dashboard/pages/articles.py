"""Articles page: the selected articles as a table, and the explanation of one article's tags."""

from __future__ import annotations

import streamlit as st

from analytics.enrich import enrich, enrichment_version
from analytics.errors import StoreError
from analytics.schema import THEME_LABELS
from analytics.sentiment import tone_label
from analytics.store import Store
from dashboard.data import ARTICLE_LIMIT, article_table, stored_article
from dashboard.safe import md_escape, safe_url
from dashboard.state import current_view

view = current_view()
search = st.text_input(
    "Search titles", key="q", bind="query-params", placeholder="Words that must all appear in the title",
    help=f"Any case, any order; the first {Store.SEARCH_WORDS} words count.",
)  # fmt: skip
words = Store.search_words(search)
try:
    rows, total = article_table(view.info.path, view.analysis.root, view.analysis.stamp, view.filters, search)
except StoreError as exc:
    st.warning(f"The search did not run: {md_escape(str(exc))}.", icon=":material/search_off:")
    st.stop()
st.caption(
    md_escape(view.filters.describe())
    + (f"; titles with: {md_escape(' '.join(words[: Store.SEARCH_WORDS]))}" if words else "")
    + f" — {total:,} articles"
    + (f", the newest {ARTICLE_LIMIT} shown" if total > ARTICLE_LIMIT else "")
)
if len(words) > Store.SEARCH_WORDS:
    st.caption(f"Only the first {Store.SEARCH_WORDS} of the {len(words):,} words were searched.")

if rows.empty:
    st.info("No articles match these filters. Widen the dates, remove a filter or change the search.")
    st.stop()

table = rows.assign(url=rows["url"].map(safe_url), published=rows["published"].str.slice(0, 16).str.replace("T", " "))
event = st.dataframe(
    table[["published", "outlet", "source_country", "title", "url", "language", "themes", "countries", "tone"]],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="articles_table",
    column_config={
        "published": "Published (UTC)",
        "outlet": "Outlet",
        "source_country": "Source",
        "title": st.column_config.TextColumn("Title", width="large"),
        "url": st.column_config.LinkColumn("Link", display_text="open"),
        "language": "Lang.",
        "themes": "Themes",
        "countries": "Countries",
        "tone": st.column_config.NumberColumn("Tone", format="%+.2f", help="VADER compound, −1 to +1"),
    },
)
selected = event.selection.rows if event and event.selection else []
if selected:
    st.query_params["article"] = rows.loc[selected[0], "id"]
article_id = st.query_params.get("article")
if not article_id:
    st.caption("Select a row to see why the article got its countries, themes and tone.")
    st.stop()

article = stored_article(view.info.path, article_id)
if article is None:
    st.warning("The article in the link is not in this store.")
    st.stop()

st.divider()
st.subheader(md_escape(article["title"]))
meta = f"{article['outlet']} ({article['source_country'] or 'unknown country'}) · {article['published'][:16]} UTC"
st.caption(md_escape(meta))
link = safe_url(article["url"])
if link and ".invalid/" not in link:  # demo articles have addresses that lead nowhere
    st.link_button("Open the original", link, icon=":material/open_in_new:")
explained = enrich(article["title"], article["text"], language=article["language"]).to_json(explain=True)
if article["version"] != enrichment_version():
    st.info(
        f"Stored with enrichment {md_escape(str(article['version']))}; explained with the current "
        f"{enrichment_version()}. "
        "Run `bilat enrich` to bring the store up to date."
    )

left, middle, right = st.columns(3)
with left:
    st.markdown("**Countries**")
    if not explained["explain"]["countries"]:
        st.caption("No country named.")
    for m in explained["explain"]["countries"]:
        where = "title" if m["in_title"] else "text"
        st.markdown(f"`{m['code']}` ← “{md_escape(m['matched'])}” ({m['kind']}, {where})")
    st.markdown("**Dyads:** " + (", ".join(explained["dyads"]) or "none"))
with middle:
    st.markdown("**Themes**")
    if not explained["explain"]["themes"]:
        st.caption("No theme term found.")
    for t in explained["explain"]["themes"]:
        kept = "tagged" if t["theme"] in explained["themes"] else "below the threshold"
        shown = dict.fromkeys(f"“{md_escape(h['matched'])}” ({h['weight']:g})" for h in t["terms"])
        terms = ", ".join(shown)
        st.markdown(f"**{THEME_LABELS[t['theme']]}** — score {t['score']:g}, {kept}: {terms}")
with right:
    st.markdown("**Tone**")
    sentiment = explained["sentiment"]
    st.markdown(
        f"{tone_label(sentiment)}"
        + (f" ({sentiment:+.2f})" if sentiment is not None else " (no scorer for this language)")
    )
    for s in explained["explain"]["tone"]:
        if s["compound"] is None:
            continue
        words = ", ".join(f"{md_escape(w['word'])} {w['valence']:+.1f}" for w in s["words"]) or "no tone words"
        st.markdown(f"{s['compound']:+.2f} — {words}")
with st.expander("Text as stored"):
    st.text(article["text"] or "(the source gave no text)")
