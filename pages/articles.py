"""Articles page: read an article with its places marked, beside a small map of them."""

from __future__ import annotations


import streamlit as st

from conflictmap import queries
from conflictmap.excerpts import article_html, safe_text, safe_url
from pages._shared import current_view, get_country_names, ready_store, set_view, show_map, style

store = ready_store()
view = current_view()
style(view.present)
st.title("Articles")

filters = view.filters()
query = st.text_input("Search articles", value=view.keyword, placeholder="a word from the title or text")
listing = queries.articles(store, filters.but(keyword=query.strip()), limit=500)
# a linked article opens even when it is not among those listed (or has no places at all)
linked = queries.article(store, view.article) if view.article else None
if linked is not None and all(a["id"] != linked["id"] for a in listing):
    listing.insert(0, linked)
if not listing:
    st.info("No articles match. Clear the search or add articles on the Add articles page.")
    st.stop()
labels = {a["id"]: f"{a['day'] or 'undated'} · {a['title'] or '(untitled)'} · {a['source'] or ''}" for a in listing}
ids = list(labels)
chosen = view.article if view.article in labels else ids[0]
article_id = st.selectbox("Article", ids, index=ids.index(chosen), format_func=labels.get)
set_view(view.but(article=article_id, keyword=view.keyword))

article = queries.article(store, article_id)
if article is None:
    st.error("That article is no longer in the store.")
    st.stop()
text_col, map_col = st.columns([3, 2])
with text_col:
    # Title, source and author come from outside: escaped HTML, never Markdown, which would turn any
    # web address or e-mail address in them into a link (autolinks survive Markdown escapes).
    st.markdown(f'<h3 class="cm-title">{safe_text(article["title"] or "(untitled)")}</h3>', unsafe_allow_html=True)
    meta = [article["source"], article["author"], article["day"] or article["published_raw"] or "undated"]
    st.markdown(f'<p class="cm-meta">{" · ".join(safe_text(str(x)) for x in meta if x)}</p>', unsafe_allow_html=True)
    url = safe_url(article["url"])
    if url:
        st.link_button("Open the original", url)
    if article["date_note"]:
        st.markdown(f'<p class="cm-meta">Date: {safe_text(article["date_note"])}</p>', unsafe_allow_html=True)
    st.markdown(f'<div class="cm-article">{article_html(article["text"], article["mentions"])}</div>', unsafe_allow_html=True)
    confirm_key = f"confirm-delete-{article_id}"
    if not st.session_state.get(confirm_key):
        if st.button("Delete this article", key=f"delete-{article_id}"):
            st.session_state[confirm_key] = True
            st.rerun()
    else:
        st.warning(f"Delete this article and its {len(article['mentions'])} place mentions from the store, for every "
                   "user? Ingesting its file again brings it back.")
        yes, no = st.columns(2)
        if yes.button("Yes, delete it", type="primary", key=f"delete-yes-{article_id}"):
            store.delete_article(article_id)
            del st.session_state[confirm_key]
            set_view(view.but(article=None))
            st.toast("Article deleted.")
            st.rerun()
        if no.button("Keep it", key=f"delete-no-{article_id}"):
            del st.session_state[confirm_key]
            st.rerun()
with map_col:
    places = queries.article_places(article)
    if places.empty:
        st.caption("No places found in this article.")
    else:
        show_map(places, key=f"article-map-{article_id}", height=380, returned_objects=[], basemap=view.basemap)
        countries = get_country_names()
        st.dataframe(places.assign(country=places["country_code"].map(lambda c: countries.get(c, c or "—")))
                     [["name", "country", "kind", "mentions"]]
                     .rename(columns={"name": "Place", "country": "Country", "kind": "Kind", "mentions": "Mentions"}),
                     hide_index=True, width="stretch")
