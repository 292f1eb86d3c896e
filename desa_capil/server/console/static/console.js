// Office console: page viewer (zoom / rotate for viewing only), reason templates, print button.
// No inline scripts: the console's Content-Security-Policy allows only this file.
"use strict";
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("[data-act]");
  if (!btn) return;
  var act = btn.getAttribute("data-act");
  if (act === "print") { window.print(); return; }
  var fig = btn.closest("figure.page");
  if (!fig) return;
  var img = fig.querySelector("img");
  var zoom = parseFloat(img.dataset.zoom || "1");
  var rot = parseInt(img.dataset.rot || "0", 10);
  if (act === "zoom-in") zoom = Math.min(4, zoom * 1.25);
  if (act === "zoom-out") zoom = Math.max(0.25, zoom / 1.25);
  if (act === "fit") zoom = 1;
  if (act === "rotate") rot = (rot + 90) % 360;
  img.dataset.zoom = String(zoom);
  img.dataset.rot = String(rot);
  // "Pas" shows the whole page in the frame; zooming makes it taller (and wider) from there.
  img.style.height = "calc(" + (zoom * 80) + "vh - 24px)";
  // The server renders the page turned (layout stays right); sharper pages when zoomed in.
  var dpi = zoom > 1.3 ? 300 : 150;
  var want = img.src.split("?")[0] + "?dpi=" + dpi + (rot ? "&rot=" + rot : "");
  if (img.src !== want) img.src = want;
});
document.addEventListener("change", function (ev) {
  var sel = ev.target;
  if (!sel.classList || !sel.classList.contains("template-pick")) return;
  var target = document.getElementById(sel.getAttribute("data-target"));
  if (target && sel.value) target.value = sel.value;
});
