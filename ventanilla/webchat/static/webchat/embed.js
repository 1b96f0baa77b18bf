/* The web chat on a council's own site:
     <script src="https://PORTAL/static/webchat/embed.js" data-council="SLUG" defer></script>
   adds a "Chat with the council" button that opens the chat (served by the portal) in a
   panel. The council's site must be listed in WEBCHAT_EMBED_ORIGINS. Optional attributes:
   data-label (the button's text), data-lang (es, ca or en). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    return;
  }
  var origin = new URL(script.src, window.location.href).origin;
  var council = script.getAttribute("data-council") || "";
  var language = (script.getAttribute("data-lang") || document.documentElement.lang || "").slice(0, 2);
  var labels = {
    es: ["Chatea con el ayuntamiento", "Cerrar el chat"],
    ca: ["Xateja amb l'ajuntament", "Tanca el xat"],
    en: ["Chat with the council", "Close the chat"],
  };
  var words = labels[language] || labels.es;
  var url =
    origin +
    "/chat/?embed=1" +
    (council ? "&council=" + encodeURIComponent(council) : "") +
    (labels[language] ? "&lang=" + language : "");

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = script.getAttribute("data-label") || words[0];
  button.setAttribute("aria-expanded", "false");
  button.style.cssText =
    "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;padding:.7rem 1rem;" +
    "border:0;border-radius:2rem;background:#1d4f91;color:#fff;font:600 1rem/1.2 sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer;max-width:calc(100vw - 2rem)";

  var panel = document.createElement("div");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", button.textContent);
  panel.style.cssText =
    "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));" +
    "height:min(40rem,calc(100vh - 6rem));background:#fff;border:1px solid #d5dae1;" +
    "border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.3);overflow:hidden";
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = words[1];
  close.style.cssText =
    "position:absolute;top:.25rem;right:.25rem;padding:.3rem .6rem;border:1px solid #1d4f91;" +
    "border-radius:4px;background:#fff;color:#1d4f91;font:1rem sans-serif;cursor:pointer";
  var frame = null;

  function toggle(open) {
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.src = url;
      frame.title = button.textContent;
      frame.setAttribute("allow", "geolocation");
      frame.style.cssText = "border:0;width:100%;height:100%";
      panel.appendChild(frame);
      panel.appendChild(close);
    }
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    (open ? frame : button).focus();
  }

  button.addEventListener("click", function () {
    toggle(panel.hidden);
  });
  close.addEventListener("click", function () {
    toggle(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      toggle(false);
    }
  });
  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
