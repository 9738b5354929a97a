/* The desk's unread total outside the page: the tab's title and its favicon. */
import { badgeText, titleWith } from "./state.js";

var drawn = null;

// The favicon: the OCC green square, with a red badge and the count when there is one.
function favicon(totalCount) {
  var key = String(totalCount);
  if (drawn === key) return;
  drawn = key;
  var canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  var ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.fillStyle = "#0b7a5a";
  ctx.beginPath();
  ctx.arc(32, 32, 30, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = "#fff";
  ctx.font = "bold 26px sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText("O", 32, 34);
  if (totalCount) {
    var text = badgeText(totalCount);
    ctx.fillStyle = "#c62828";
    ctx.beginPath();
    ctx.arc(44, 20, 20, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#fff";
    ctx.font = "bold " + (text.length > 2 ? 18 : 26) + "px sans-serif";
    ctx.fillText(text, 44, 22);
  }
  var link = document.querySelector('link[rel~="icon"]');
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.appendChild(link);
  }
  link.type = "image/png";
  link.href = canvas.toDataURL("image/png");
  link.dataset.unread = key;
}

export function show(totalCount, baseTitle) {
  document.title = titleWith(totalCount, baseTitle);
  favicon(totalCount);
}

