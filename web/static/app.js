// Progressive enhancements; every page works without them.
"use strict";

// Upload form: drop files on the drop zone, list the files chosen, and
// refuse before sending an upload over the limit.
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = document.getElementById("file");
  var drop = document.getElementById("drop");
  var list = document.getElementById("chosen");
  var error = document.getElementById("size-error");
  var button = document.getElementById("upload-button");
  var limit = Number(form.dataset.limit);

  function total() {
    var n = 0;
    for (var i = 0; i < input.files.length; i++) n += input.files[i].size;
    return n;
  }
  function show() {
    list.textContent = "";
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement("li");
      li.textContent = input.files[i].name;
      list.appendChild(li);
    }
    var over = total() > limit;
    error.hidden = !over;
    error.textContent = over ? "These files come to more than the limit of " + form.dataset.limitText +
      ". Upload fewer at once." : "";
    return !over;
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function () { drop.classList.remove("dragging"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
    }
  });
  form.addEventListener("submit", function (e) {
    if (!show()) { e.preventDefault(); return; }
    button.disabled = true;
    button.textContent = "Uploading…";
  });
})();

// Upload page: ask for the state of each upload the worker has not yet
// handled, and show the page again once one has changed.
(function () {
  var pending = document.querySelectorAll("[data-status-url][data-final=false]");
  if (!pending.length) return;
  function poll() {
    var checks = Array.prototype.map.call(pending, function (el) {
      return fetch(el.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { return s !== null && s.state !== el.dataset.state; });
    });
    Promise.all(checks).then(function (changed) {
      if (changed.indexOf(true) >= 0) { location.reload(); } else { setTimeout(poll, 1500); }
    }, function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();

// Upload page: on a phone, show the long table of columns only when asked.
(function () {
  if (!window.matchMedia("(max-width: 40rem)").matches) return;
  var details = document.querySelectorAll("details.columns");
  for (var i = 0; i < details.length; i++) details[i].open = false;
})();

// Ranking: draw each 90% interval as a bar on a 0 to 1 scale.
(function () {
  var bars = document.querySelectorAll(".interval-bar");
  for (var i = 0; i < bars.length; i++) {
    var lo = Number(bars[i].dataset.low), hi = Number(bars[i].dataset.high);
    bars[i].style.left = (100 * lo) + "%";
    bars[i].style.width = (100 * Math.max(0, hi - lo)) + "%";
  }
})();
