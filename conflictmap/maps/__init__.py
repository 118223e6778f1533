"""The map stage: tidy frames in, a `folium.Map` out, served from local files.

`build` draws places, areas, heat, legend and basemap as a folium map and decodes map
clicks back into places; `assets` copies Leaflet and its plugins out of npm's folder at
set-up, points a map at those local copies, and writes the standalone HTML export.
"""
