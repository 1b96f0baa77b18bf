/* Map of public cases: Leaflet, markers from the portal's GeoJSON. No inline code (CSP). */
(function () {
  "use strict";
  var element = document.getElementById("portal-map");
  if (!element || typeof window.L === "undefined" || !window.fetch) {
    return;
  }
  var L = window.L;
  var data = element.dataset;
  var status = document.getElementById("portal-map-status");
  element.hidden = false;

  var map = L.map(element).setView([40.4168, -3.7038], 6);
  L.tileLayer(data.tilesUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
  var layer = L.layerGroup().addTo(map);

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) {
      node.className = className;
    }
    return node;
  }

  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    var link = text("a", properties.reference);
    link.href = properties.url;
    title.appendChild(link);
    box.appendChild(title);
    box.appendChild(text("p", properties.category));
    box.appendChild(
      text("p", (properties.open ? data.labelOpen : data.labelClosed) + ": " + properties.status)
    );
    if (properties.summary) {
      box.appendChild(text("p", properties.summary));
    }
    box.appendChild(text("p", data.labelSupports + ": " + properties.supports, "muted"));
    return box;
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  fetch(data.markersUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (collection) {
      var points = [];
      collection.features.forEach(function (feature) {
        var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
        var open = feature.properties.open;
        L.circleMarker(at, {
          radius: 8,
          weight: 2,
          color: open ? "#1d4f91" : "#4a5563",
          fillColor: open ? "#1d4f91" : "#ffffff",
          fillOpacity: 0.7,
        })
          .bindPopup(popup(feature.properties))
          .addTo(layer);
        points.push(at);
      });
      if (points.length) {
        map.fitBounds(points, { maxZoom: 17, padding: [24, 24] });
      }
      say(data.labelCount + " " + points.length + (collection.truncated ? ". " + data.labelTruncated : ""));
    })
    .catch(function () {
      say(data.labelError);
    });
})();
