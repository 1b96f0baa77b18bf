/* Ventanilla staff inbox: pick a case's place on a map (fills the latitude and longitude). */
(function () {
  "use strict";

  var FALLBACK = [40.4168, -3.7038]; // the middle of Spain, when the case has no point yet

  function setUp(element) {
    var details = element.closest("details");
    if (element.dataset.ready || !window.L || (details && !details.open)) {
      return;
    }
    element.dataset.ready = "1";
    var latInput = document.getElementById(element.dataset.latInput);
    var lngInput = document.getElementById(element.dataset.lngInput);
    var lat = parseFloat(element.dataset.lat);
    var lng = parseFloat(element.dataset.lng);
    var known = !isNaN(lat) && !isNaN(lng);
    var map = window.L.map(element, { scrollWheelZoom: false }).setView(
      known ? [lat, lng] : FALLBACK,
      known ? 17 : 6
    );
    window.L.tileLayer(element.dataset.tiles, {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap",
    }).addTo(map);
    var marker = known ? window.L.marker([lat, lng], { keyboard: false }).addTo(map) : null;
    map.on("click", function (event) {
      var point = event.latlng.wrap();
      if (marker) {
        marker.setLatLng(point);
      } else {
        marker = window.L.marker(point, { keyboard: false }).addTo(map);
      }
      if (latInput && lngInput) {
        latInput.value = point.lat.toFixed(6);
        lngInput.value = point.lng.toFixed(6);
      }
    });
  }

  function setUpAll() {
    document.querySelectorAll("[data-map-picker]").forEach(setUp);
  }

  /* The picker sits in a closed <details>: Leaflet needs it visible to measure it. */
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.open) {
        setUpAll();
      }
    },
    true
  );
  document.body.addEventListener("htmx:afterSettle", setUpAll);
  window.addEventListener("load", setUpAll);
})();
