"""What every map of ours adds to Leaflet beyond its layers (see `MapExtras`)."""

from __future__ import annotations

from branca.element import Element, MacroElement
from jinja2 import Template

from conflictmap.credits import credit_html
from conflictmap.maps.style import BASEMAP

#: Credit the data, as its licences ask (`conflictmap.credits`).
ATTRIBUTION = credit_html()


class MapExtras(MacroElement):
    """What every map of ours adds to Leaflet: the data credits, the look of labels and
    cluster bubbles, and (online basemap) a visible notice and the offline land when tiles fail."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .cm-label {background: rgba(255,255,255,.88); border: 0; box-shadow: none; color: #111; padding: 0 4px;
                   font: 600 {{ this.label_px }}px/1.2 sans-serif; border-radius: 3px;}
        .cm-label:before {display: none;}
        .cm-selected-label {background: #fff; border: 2px solid #000; font-size: {{ this.label_px + 2 }}px; z-index: 1;}
        .cm-cluster {background: rgba(40,40,40,.25);}
        .cm-cluster div {background: rgba(60,60,60,.85); color: #fff; font-weight: 700;}
        .leaflet-control-attribution {font: 11px/1.4 sans-serif !important;}
        .cm-tile-note {position: absolute; top: 10px; left: 60px; right: 60px; z-index: 1000; background: #fff3cd;
                       color: #3d2c00; border: 1px solid #8a6d00; padding: 4px 8px; font: 14px/1.3 sans-serif;}
        {% if this.tiles %}.leaflet-cm-basemap-pane {display: none;}{% endif %}
        /* streamlit-folium gives its map div a height in pixels; the page sizes the frame to the screen
           (pages/_shared.py) and the map fills the frame, whatever it is */
        html, body {height: 100%; margin: 0;}
        #map_div, #map_div2 {height: 100vh !important;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            // streamlit-folium makes the map while its frame is still 0 px high, and the map fills its
            // frame (the style above), so a heat layer added then would read a canvas 0 px high and throw,
            // and the map would never be made. The heat layer draws again on every "moveend", which the
            // map fires once its frame has a size: until then it has nothing to draw.
            if (L.HeatLayer && !L.HeatLayer.prototype.cmSized) {
                var draw = L.HeatLayer.prototype._redraw;
                L.HeatLayer.prototype._redraw = function () {
                    var size = this._map && this._map.getSize();
                    if (size && size.x > 0 && size.y > 0) { return draw.call(this); }
                };
                L.HeatLayer.prototype.cmSized = true;
            }
            if (map.attributionControl) { map.attributionControl.addAttribution({{ this.attribution|tojson }}); }
            // Leaflet reports a click on a small circle at the circle's centre, so a click on Baghdad's
            // centre that lands on Sadr City's dot (drawn on top) would say "Sadr City". The dashboard
            // picks the nearest marker itself: give it where the mouse really was. (This listener runs
            // before streamlit-folium's, which reads e.latlng.)
            map.on('click', function (e) {
                var o = e.originalEvent;
                if (o && o.type === 'click' && typeof o.clientX === 'number') { e.latlng = map.mouseEventToLatLng(o); }
            });
            // Streamlit sizes the map's frame after the map has drawn, and Leaflet does not notice:
            // tell it, and fit the first view again to the real size until the user touches the map
            // (or streamlit-folium has put it where the dashboard's view says).
            var fit = {{ this.fit|tojson }}, touched = false, box = map.getContainer();
            // A view report counts for the page only once it says "cm-touched" (the user reached the map)
            // or "cm-settled" (the first fit held for 400 ms at an unchanging frame size): a fit at a passing
            // frame size is then never kept as the view. streamlit-folium reports only its own fields, so
            // the marks ride in `selected_tags` (its tag-filter plugin's; unused here).
            var mark = function (tag) {
                var data = window.__GLOBAL_DATA__;
                if (data && (data.selected_tags || []).indexOf(tag) < 0) { data.selected_tags = (data.selected_tags || []).concat([tag]); }
            };
            var touch = function () { touched = true; mark('cm-touched'); };
            var settling = null;
            var settle = function () {
                window.clearTimeout(settling);
                settling = window.setTimeout(function () { mark('cm-settled'); map.fire('moveend'); }, 400);
            };
            ['mousedown', 'wheel', 'keydown', 'touchstart'].forEach(function (name) {
                box.addEventListener(name, touch, {passive: true, capture: true});
            });
            // Labels of the most mentioned places: where two would overlap at this zoom, the
            // better-ranked one (more mentions; the selected place first) stays and the other hides.
            var declutter = function () {
                var kept = [];
                var labels = Array.prototype.slice.call(box.querySelectorAll('.leaflet-tooltip.cm-label'));
                var rank = function (el) { var m = /cm-rank-([0-9]+)/.exec(el.className); return m ? +m[1] : 999; };
                labels.sort(function (a, b) { return rank(a) - rank(b); });
                labels.forEach(function (el) {
                    el.style.visibility = '';
                    var r = el.getBoundingClientRect();
                    var hit = kept.some(function (k) {
                        return r.left < k.right + 2 && r.right > k.left - 2 && r.top < k.bottom + 1 && r.bottom > k.top - 1;
                    });
                    if (hit) { el.style.visibility = 'hidden'; el.classList.add('cm-label-hidden'); }
                    else { el.classList.remove('cm-label-hidden'); kept.push(r); }
                });
            };
            var soon = function () { window.requestAnimationFrame(declutter); };
            map.on('zoomend moveend layeradd overlayadd resize viewreset', soon);
            soon();
            // data-cm-view says the first view is settled: "fitted" (to the places, at the frame's real
            // size) or "placed" (where the dashboard's view says). Until then the map is at folium's
            // starting zoom, which is no view anyone chose; tests wait for it instead of guessing a delay.
            var settled = function (how) { if (!box.hasAttribute('data-cm-view')) { box.setAttribute('data-cm-view', how); } };
            if (!fit) { settled('placed'); }
            var refit = function () {
                map.invalidateSize();
                var given = window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.last_center;
                if (given) { settled('placed'); return; }
                // a frame smaller than the fit's padding (a frame being resized) would fit to nonsense
                var pad = fit && fit.options.paddingTopLeft.concat(fit.options.paddingBottomRight);
                if (fit && !touched && box.clientWidth > pad[0] + pad[2] + 100 && box.clientHeight > pad[1] + pad[3] + 100) {
                    map.fitBounds(fit.bounds, fit.options);
                    settled('fitted');
                    settle();
                }
            };
            if (window.ResizeObserver) { new ResizeObserver(refit).observe(box); } else { refit(); }
            {%- if this.tiles %}
            var failed = false;
            {{ this.tiles.get_name() }}.on('tileerror', function () {
                if (failed) { return; }
                failed = true;
                var pane = map.getPane('cm-basemap');
                if (pane) { pane.style.display = 'block'; }
                map.getContainer().style.background = {{ this.sea|tojson }};
                var note = L.DomUtil.create('div', 'cm-tile-note', map.getContainer());
                note.setAttribute('role', 'status');
                note.textContent = 'Online map tiles could not load (no internet?). Showing the offline country outlines instead.';
            });
            {%- endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, presenter: bool, tiles: Element | None = None, fit: dict | None = None):
        super().__init__()
        self._name = "MapExtras"
        self.fit = fit
        self.attribution = ATTRIBUTION
        self.label_px = 18 if presenter else 14
        self.tiles = tiles
        self.sea = BASEMAP[presenter][0]


