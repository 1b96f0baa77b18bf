/* The report form's map pin and nearby cases. No inline code (CSP); the form works without. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var element = document.getElementById("report-map");
  if (!form || !element || typeof window.L === "undefined" || !window.fetch) {
    return;
  }
  var L = window.L;
  var data = element.dataset;
  var latitude = form.querySelector("[name=latitude]");
  var longitude = form.querySelector("[name=longitude]");
  var category = form.querySelector("[name=category]");
  var newAnyway = form.querySelector("[name=new_anyway]");
  var status = document.getElementById("report-map-status");
  var help = document.getElementById("report-map-help");
  var nearby = document.getElementById("report-nearby");
  var list = document.getElementById("report-nearby-list");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]");
  element.hidden = false;
  if (help) {
    help.hidden = false;
  }

  var start = [40.4168, -3.7038];
  var zoom = 6;
  if (data.centreLatitude && data.centreLongitude) {
    start = [parseFloat(data.centreLatitude), parseFloat(data.centreLongitude)];
    zoom = 16;
  }
  if (latitude.value && longitude.value) {
    start = [parseFloat(latitude.value), parseFloat(longitude.value)];
    zoom = 17;
  }
  var map = L.map(element).setView(start, zoom);
  L.tileLayer(data.tilesUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
  var marker = null;

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function item(found) {
    var li = document.createElement("li");
    var title = document.createElement("p");
    var link = text("a", found.reference);
    link.href = found.url;
    title.appendChild(link);
    var facts = [found.category, found.status];
    if (found.street) {
      facts.push(found.street);
    }
    title.appendChild(document.createTextNode(" · " + facts.join(" · ")));
    li.appendChild(title);
    if (found.summary) {
      li.appendChild(text("p", found.summary));
    }
    var support = document.createElement("form");
    support.method = "post";
    support.action = found.support_url;
    if (csrf) {
      var token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrf.value;
      support.appendChild(token);
    }
    var button = text("button", data.labelSupport + " " + found.reference);
    button.type = "submit";
    support.appendChild(button);
    li.appendChild(support);
    return li;
  }

  function checkNearby() {
    if (!latitude.value || !longitude.value || !category.value || !nearby) {
      return;
    }
    var query = new URLSearchParams({
      category: category.value,
      lat: latitude.value,
      lon: longitude.value
    });
    fetch(form.dataset.nearbyUrl + "?" + query.toString(), {
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.ok ? response.json() : { cases: [] };
      })
      .then(function (answer) {
        while (list.firstChild) {
          list.removeChild(list.firstChild);
        }
        answer.cases.forEach(function (found) {
          list.appendChild(item(found));
        });
        nearby.hidden = answer.cases.length === 0;
        // The resident has seen them: the server need not ask again.
        newAnyway.value = answer.cases.length ? "on" : "";
        if (answer.cases.length && status) {
          status.textContent = data.labelNearby + " " + answer.cases.length;
        }
      })
      .catch(function () {
        nearby.hidden = true;
      });
  }

  function place(at) {
    var lat = Math.round(at.lat * 1e6) / 1e6;
    var lng = Math.round(at.lng * 1e6) / 1e6;
    latitude.value = String(lat);
    longitude.value = String(lng);
    if (!marker) {
      marker = L.marker([lat, lng], { draggable: true, keyboard: true }).addTo(map);
      marker.on("dragend", function () {
        place(marker.getLatLng());
      });
    } else {
      marker.setLatLng([lat, lng]);
    }
    if (status) {
      status.textContent = data.labelPlaced;
    }
    checkNearby();
  }

  if (latitude.value && longitude.value) {
    place({ lat: start[0], lng: start[1] });
  }
  map.on("click", function (event) {
    place(event.latlng);
  });
  category.addEventListener("change", checkNearby);
})();
