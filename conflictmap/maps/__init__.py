"""The map stage: tidy frames in, a `folium.Map` out, served from local files.

* `build.build_map`: places, areas, heat, labels and basemap drawn as one folium map
  (`layers` draws each kind, `style` holds the look, `scale` the colour scale,
  `legend` the key, `extras` the scripts the map runs in the browser, `areas` the
  real shapes of provinces, seas and rivers);
* `selection.place_at`: a click on the map decoded back into the place under it;
* `assets.local_assets`: a map pointed at the JavaScript and CSS `vendor` copied out
  of npm's folder at set-up, so it draws with no network;
* `standalone.standalone_html`: the map as one self-contained HTML file to send on.
"""
