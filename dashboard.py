"""Conflict Map dashboard: `streamlit run dashboard.py`.

This file only routes: each page is listed in `st.navigation`, and every page
lays out widgets over functions of the `conflictmap` package.
"""

from __future__ import annotations

import streamlit as st

from pages._shared import require_signin

# An emoji favicon is drawn locally; a ":material/...:" one is fetched from fonts.gstatic.com, and the app runs offline.
st.set_page_config(page_title="Conflict Map", page_icon="🌍", layout="wide", initial_sidebar_state="expanded")

require_signin()  # a shared server shows nothing to a visitor who has not signed in

pages = [
    st.Page("pages/map.py", title="Map", icon=":material/map:", default=True, url_path="map"),
    st.Page("pages/articles.py", title="Articles", icon=":material/article:", url_path="articles"),
    st.Page("pages/places.py", title="Places", icon=":material/place:", url_path="places"),
    st.Page("pages/add_articles.py", title="Add articles", icon=":material/add:", url_path="add"),
]
st.navigation(pages).run()
