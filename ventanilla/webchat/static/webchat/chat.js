/* The web chat: posts the resident's messages, shows the council's answers live (SSE).
   No inline code (CSP); the map is Leaflet from xstatic-leaflet; no other library. */
(function () {
  "use strict";
  var box = document.getElementById("webchat");
  if (!box || !window.fetch || !window.EventSource || !window.FormData) {
    return;
  }
  var data = box.dataset;
  var log = document.getElementById("webchat-log");
  var choicesBox = document.getElementById("webchat-choices");
  var form = document.getElementById("webchat-form");
  var textInput = document.getElementById("webchat-text");
  var photoInput = document.getElementById("webchat-photo");
  var statusLine = document.getElementById("webchat-status");
  var errorLine = document.getElementById("webchat-error");
  var locateButton = document.getElementById("webchat-locate");
  var pinButton = document.getElementById("webchat-pin");
  var mapBox = document.getElementById("webchat-map-box");
  var pinCentre = document.getElementById("webchat-pin-centre");
  var pinSend = document.getElementById("webchat-pin-send");
  var maxPhoto = parseInt(data.maxPhotoBytes, 10) || 0;
  var shown = {}; // message id -> its element (a message is shown once, however it arrives)
  box.hidden = false;

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function say(message) {
    statusLine.textContent = message || "";
  }

  function fail(message) {
    errorLine.textContent = message || "";
  }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text) {
      element.textContent = text;
    }
    return element;
  }

  function bubble(item) {
    var mine = item.from === "resident";
    var element = node("div", "webchat-message " + (mine ? "webchat-mine" : "webchat-theirs"));
    element.appendChild(node("span", "visually-hidden", (mine ? data.labelYou : data.labelCouncil) + ": "));
    if (item.text) {
      element.appendChild(node("p", "webchat-text", item.text));
    }
    if (item.photos) {
      element.appendChild(node("p", "webchat-note", data.labelPhoto));
    }
    if (item.located) {
      element.appendChild(node("p", "webchat-note", data.labelPlace));
    }
    if (item.file && item.file.url) {
      var link = node("a", "", item.file.name || data.labelFile);
      link.href = item.file.url;
      link.target = "_blank";
      link.rel = "noopener";
      var p = node("p", "webchat-note");
      p.appendChild(link);
      element.appendChild(p);
    }
    return element;
  }

  function show(item) {
    if (item.id && shown[item.id]) {
      return;
    }
    var element = bubble(item);
    if (item.id) {
      shown[item.id] = element;
      element.dataset.id = item.id;
    }
    log.appendChild(element);
    log.scrollTop = log.scrollHeight;
    // as in the messaging apps, the last answers offered stay until one is picked or the
    // council offers others (a later message without answers does not take them away)
    if (item.from === "council" && item.choices && item.choices.length) {
      offer(item.choices);
    } else if (item.from === "resident" && item.choice) {
      offer([]);
    }
    return element;
  }

  function offer(choices) {
    choicesBox.textContent = "";
    choices.forEach(function (choice) {
      var button = node("button", "secondary", choice.label);
      button.type = "button";
      button.addEventListener("click", function () {
        send({ choice: choice.id, text: choice.label }, null);
      });
      choicesBox.appendChild(button);
    });
  }

  function send(fields, photo) {
    var body = new FormData();
    var id = clientId();
    body.append("client_id", id);
    Object.keys(fields).forEach(function (key) {
      body.append(key, fields[key]);
    });
    if (photo) {
      body.append("photo", photo);
    }
    fail("");
    say(data.labelSending);
    var pending = show({
      from: "resident",
      text: fields.text || "",
      photos: photo ? 1 : 0,
      located: Boolean(fields.latitude),
    });
    pending.classList.add("webchat-pending");
    if (fields.choice) {
      choicesBox.textContent = "";
    }
    var attempt = function (tries) {
      return fetch(data.postUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Webchat": "1", Accept: "application/json" },
      }).then(function (response) {
        return response.json().then(
          function (answer) {
            return { ok: response.ok, status: response.status, answer: answer };
          },
          function () {
            return { ok: false, status: response.status, answer: {} };
          }
        );
      }).catch(function (error) {
        // the same client id again: a post that did arrive is not stored twice
        if (tries > 0) {
          return new Promise(function (resolve) {
            setTimeout(resolve, 1500);
          }).then(function () {
            return attempt(tries - 1);
          });
        }
        throw error;
      });
    };
    return attempt(2)
      .then(function (result) {
        say("");
        if (!result.ok) {
          pending.remove();
          fail(result.answer.error || data.labelFailed);
          return false;
        }
        pending.classList.remove("webchat-pending");
        if (shown[result.answer.id]) {
          pending.remove(); // the stream showed it first
        } else {
          shown[result.answer.id] = pending;
          pending.dataset.id = result.answer.id;
        }
        return true;
      })
      .catch(function () {
        say("");
        pending.remove();
        fail(data.labelFailed);
        return false;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textInput.value.trim();
    var photo = photoInput.files && photoInput.files[0];
    if (!text && !photo) {
      textInput.focus();
      return;
    }
    if (photo && maxPhoto && photo.size > maxPhoto) {
      fail(data.labelTooBig);
      return;
    }
    send({ text: text }, photo || null).then(function (sent) {
      if (sent) {
        textInput.value = "";
        photoInput.value = "";
      }
      textInput.focus();
    });
  });

  textInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  photoInput.addEventListener("change", function () {
    var photo = photoInput.files && photoInput.files[0];
    fail("");
    if (photo && maxPhoto && photo.size > maxPhoto) {
      fail(data.labelTooBig);
      photoInput.value = "";
      return;
    }
    say(photo ? data.labelPhotoReady + " " + photo.name : "");
  });

  // -- places: the browser's location, or a pin on the map --------------------------------

  function sendPlace(latitude, longitude) {
    return send({ latitude: latitude.toFixed(6), longitude: longitude.toFixed(6) }, null);
  }

  locateButton.addEventListener("click", function () {
    if (!navigator.geolocation) {
      fail(data.labelNoLocation);
      return;
    }
    say(data.labelLocating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        sendPlace(position.coords.latitude, position.coords.longitude);
      },
      function () {
        say("");
        fail(data.labelNoLocation);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  var map = null;
  var marker = null;

  function placePin(at) {
    if (marker) {
      marker.setLatLng(at);
    } else {
      marker = window.L.marker(at, { keyboard: false }).addTo(map);
    }
    pinSend.disabled = false;
    say(data.labelPin);
  }

  pinButton.addEventListener("click", function () {
    var open = mapBox.hidden;
    mapBox.hidden = !open;
    pinButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open || map || typeof window.L === "undefined") {
      return;
    }
    var centre = (data.centre || "40.4168,-3.7038").split(",").map(parseFloat);
    map = window.L.map("webchat-map").setView(centre, parseInt(data.zoom, 10) || 6);
    window.L.tileLayer(data.tilesUrl, { maxZoom: 19 }).addTo(map);
    map.on("click", function (event) {
      placePin(event.latlng);
    });
  });

  pinCentre.addEventListener("click", function () {
    if (map) {
      placePin(map.getCenter());
    }
  });

  pinSend.addEventListener("click", function () {
    if (!marker) {
      return;
    }
    var at = marker.getLatLng();
    sendPlace(at.lat, at.lng).then(function (sent) {
      if (sent) {
        map.removeLayer(marker);
        marker = null;
        pinSend.disabled = true;
        mapBox.hidden = true;
        pinButton.setAttribute("aria-expanded", "false");
        pinButton.focus();
      }
    });
  });

  // -- the council's answers, live -------------------------------------------------------

  var stream = new EventSource(data.streamUrl);
  stream.addEventListener("message", function (event) {
    var item;
    try {
      item = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    var known = shown[item.id];
    if (known) {
      return;
    }
    show(item);
  });
  stream.addEventListener("open", function () {
    box.dataset.live = "open";
  });
  stream.addEventListener("error", function () {
    box.dataset.live = "reconnecting";
  });
})();
