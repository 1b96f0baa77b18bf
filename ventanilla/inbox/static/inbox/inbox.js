/* Ventanilla staff inbox: live updates, keyboard shortcuts, canned replies, the map.
 *
 * Loaded as a static file (the Content-Security-Policy forbids inline scripts). Every
 * feature here is an enhancement: the pages work as plain forms and links without it.
 */
(function () {
  "use strict";

  var config = document.getElementById("inbox-config");
  if (!config) {
    return;
  }
  var page = config.dataset.page;
  var announcer = document.getElementById("announce");

  function announce(text) {
    if (!announcer || !text) {
      return;
    }
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function withLive(url) {
    var u = new URL(url, window.location.href);
    u.searchParams.set("live", "1");
    return u.pathname + u.search;
  }

  /* -- live updates ----------------------------------------------------------------- */

  var refreshTimer = null;
  // The agent's own change comes back as a live event too: it is not news to them.
  var ownActionAt = 0;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.tagName === "FORM") {
      ownActionAt = Date.now();
    }
  });
  function ownActionRecently() {
    return Date.now() - ownActionAt < 3000;
  }
  var refreshing = false;
  var pendingRefresh = false;

  function queueReferences() {
    var refs = {};
    document.querySelectorAll("#queue-results tr.case-row").forEach(function (row) {
      refs[row.dataset.reference] = true;
    });
    return refs;
  }

  function refresh() {
    if (!window.htmx) {
      return;
    }
    if (refreshing) {
      pendingRefresh = true;
      return;
    }
    refreshing = true;
    var before = page === "queue" ? queueReferences() : null;
    var threadLength = document.querySelectorAll("#thread li").length;
    var selected = selectedReference();
    window.htmx
      .ajax("GET", withLive(window.location.href), { target: "#announce", swap: "none" })
      .then(function () {
        if (page === "queue") {
          var fresh = [];
          document.querySelectorAll("#queue-results tr.case-row").forEach(function (row) {
            if (!before[row.dataset.reference]) {
              row.classList.add("is-new");
              fresh.push(row.dataset.reference);
            }
          });
          restoreSelection(selected);
          announce(
            fresh.length
              ? config.dataset.msgNew + " " + fresh.join(", ")
              : config.dataset.msgUpdated
          );
        } else if (page === "case") {
          // Only news is worth interrupting for: a new message or note (not one's own change).
          if (document.querySelectorAll("#thread li").length > threadLength && !ownActionRecently()) {
            announce(config.dataset.msgCaseUpdated);
          }
          initMap();
        }
      })
      .finally(function () {
        refreshing = false;
        if (pendingRefresh) {
          pendingRefresh = false;
          scheduleRefresh();
        }
      });
  }

  function scheduleRefresh() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(refresh, 150);
  }

  function onLiveEvent(event) {
    var data = {};
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (page === "queue" || page === "conversations") {
      scheduleRefresh();
    } else if (page === "case" && data.reference === config.dataset.caseReference) {
      scheduleRefresh();
    }
  }

  function startLive() {
    if (!window.EventSource || (page !== "queue" && page !== "case" && page !== "conversations")) {
      return;
    }
    var url = config.dataset.liveUrl + "?after=" + encodeURIComponent(config.dataset.liveAfter || "0");
    var source = new EventSource(url);
    ["case", "message", "note", "conversation"].forEach(function (kind) {
      source.addEventListener(kind, onLiveEvent);
    });
    source.addEventListener("open", function () {
      config.dataset.liveState = "open";
    });
    source.addEventListener("error", function () {
      var closed = source.readyState === EventSource.CLOSED;
      config.dataset.liveState = closed ? "closed" : "reconnecting";
      var notice = document.getElementById("live-stopped");
      if (closed && notice) {
        notice.textContent = config.dataset.msgStopped;
        notice.hidden = false;
      }
    });
    window.addEventListener("pagehide", function () {
      source.close();
    });
  }

  /* A live refresh never overwrites what the agent is doing: a part of the page that has
   * the focus, or a form with something typed in it, is kept as it is. */
  function busy(element) {
    if (element.contains(document.activeElement) && document.activeElement !== document.body) {
      return true;
    }
    var fields = element.querySelectorAll("textarea, input[type=text], input[type=search], input[type=file]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value && fields[i].value !== fields[i].defaultValue) {
        return true;
      }
    }
    // A choice made in a list (a new status, a department) counts as typing too.
    var options = element.querySelectorAll("select option");
    for (var j = 0; j < options.length; j++) {
      if (options[j].selected !== options[j].defaultSelected) {
        return true;
      }
    }
    return false;
  }

  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var fragment = event.detail.fragment;
    var incoming = fragment && (fragment.firstElementChild || fragment);
    if (incoming && incoming.hasAttribute && incoming.hasAttribute("data-guard") && busy(event.detail.target)) {
      event.detail.shouldSwap = false;
    }
  });

  /* -- queue selection and keyboard shortcuts ----------------------------------------- */

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-results tr.case-row"));
  }

  function selectedReference() {
    var row = document.querySelector("#queue-results tr.case-row.is-selected");
    return row ? row.dataset.reference : null;
  }

  function select(row, focus) {
    rows().forEach(function (r) {
      r.classList.remove("is-selected");
    });
    if (!row) {
      return;
    }
    row.classList.add("is-selected");
    var link = row.querySelector("a.case-link");
    if (focus && link) {
      link.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function restoreSelection(reference) {
    if (!reference) {
      return;
    }
    var row = document.querySelector('#queue-results tr.case-row[data-reference="' + reference + '"]');
    select(row, false);
  }

  function move(step) {
    var all = rows();
    if (!all.length) {
      return;
    }
    var index = all.findIndex(function (r) {
      return r.classList.contains("is-selected") || r.contains(document.activeElement);
    });
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next], true);
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) {
      return false;
    }
    var details = field.closest("details");
    if (details) {
      details.open = true;
    }
    field.scrollIntoView({ block: "center" });
    field.focus();
    return true;
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) {
      window.location.href = link.href;
    }
  }

  var dialog = document.getElementById("shortcuts");
  function showHelp() {
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
    }
  }
  document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
    button.addEventListener("click", showHelp);
  });

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target) || (dialog && dialog.open)) {
      return;
    }
    var handled = true;
    switch (event.key) {
      case "j":
        if (page === "queue") {
          move(1);
        } else {
          follow("[data-shortcut-next]");
        }
        break;
      case "k":
        if (page === "queue") {
          move(-1);
        } else {
          follow("[data-shortcut-prev]");
        }
        break;
      case "o":
      case "Enter":
        if (page === "queue" && event.key === "o") {
          var row = document.querySelector("#queue-results tr.case-row.is-selected a.case-link");
          if (row) {
            window.location.href = row.href;
          }
        } else {
          handled = false;
        }
        break;
      case "r":
        handled = focusField("#id_reply-text") || focusField("#id_reply-template");
        break;
      case "a":
        var form = document.querySelector("form[data-assign-me]");
        if (form) {
          if (form.requestSubmit) {
            form.requestSubmit();
          } else {
            form.submit();
          }
        } else {
          handled = false;
        }
        break;
      case "s":
        handled = focusField("#id_status-status");
        break;
      case "n":
        handled = focusField("#id_note-text");
        break;
      case "u":
        if (page === "case") {
          follow("[data-shortcut-up]");
        } else {
          handled = false;
        }
        break;
      case "/":
        handled = focusField("#id_q");
        break;
      case "?":
        showHelp();
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  /* Clicking anywhere on a row selects it (the reference link opens it). */
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#queue-results tr.case-row");
    if (row) {
      select(row, false);
    }
  });

  /* -- canned replies ----------------------------------------------------------------- */

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-canned-into]")) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.dataset.cannedInto);
    if (!option || !option.dataset.text || !box) {
      return;
    }
    box.value = box.value ? box.value.replace(/\s*$/, "\n\n") + option.dataset.text : option.dataset.text;
    box.focus();
  });

  /* -- map ---------------------------------------------------------------------------- */

  function initMap() {
    if (!window.L) {
      return;
    }
    document.querySelectorAll("[data-map]").forEach(function (element) {
      if (element.dataset.ready) {
        return;
      }
      element.dataset.ready = "1";
      var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)];
      var map = window.L.map(element, { scrollWheelZoom: false }).setView(point, 16);
      window.L.tileLayer(element.dataset.tiles, {
        maxZoom: 19,
        attribution: "&copy; OpenStreetMap",
      }).addTo(map);
      window.L.marker(point, { keyboard: false }).addTo(map);
    });
  }

  /* After an action the server re-renders the panels; keep the map and reset new forms. */
  document.body.addEventListener("htmx:afterSettle", initMap);

  initMap();
  startLive();
})();
