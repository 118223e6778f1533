"""Conflict Map: put the places that news articles mention on a map.

The package holds every piece of non-UI logic; it never imports streamlit.
Data flows one way: readers -> Article -> geoparser -> store -> queries -> maps.
"""

__version__ = "0.1.0"
