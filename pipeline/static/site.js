/* Burger Centraal pages: seek from chapters and transcript lines, highlight the current line and chapter while
   playing, search within the transcript, copy the feed address. Plain script (no modules), so it also runs when
   the page is opened from file://. */
(function () {
  "use strict";

  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function setupPlayer() {
    var audio = document.getElementById("player");
    if (!audio) return;

    function seek(seconds) {
      audio.currentTime = seconds;
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () { /* autoplay refused: the seek still holds */ });
    }

    document.querySelectorAll("[data-seek]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        event.stopPropagation();
        seek(parseFloat(el.getAttribute("data-seek")));
      });
    });

    var lines = Array.prototype.slice.call(document.querySelectorAll("#transcript .line"));
    lines.forEach(function (line) {
      line.addEventListener("click", function () { seek(parseFloat(line.getAttribute("data-start"))); });
    });
    var starts = lines.map(function (line) { return parseFloat(line.getAttribute("data-start")); });
    var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapter"));
    var chapterStarts = chapters.map(function (c) { return parseFloat(c.getAttribute("data-seek")); });
    var follow = document.getElementById("transcript-follow");
    var current = null;
    var currentChapter = null;

    function lastAtOrBefore(list, t) {
      var lo = 0, hi = list.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (list[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found;
    }

    function mark(el, previous) {
      if (previous === el) return el;
      if (previous) { previous.classList.remove("current"); previous.removeAttribute("aria-current"); }
      if (el) { el.classList.add("current"); el.setAttribute("aria-current", "true"); }
      return el;
    }

    function update() {
      var t = audio.currentTime;
      var i = lastAtOrBefore(starts, t);
      var line = i >= 0 ? lines[i] : null;
      if (line !== current) {
        current = mark(line, current);
        if (line && follow && follow.checked && !audio.paused && !line.hidden) {
          var box = line.getBoundingClientRect();
          if (box.top < 120 || box.bottom > window.innerHeight) line.scrollIntoView({ block: "center" });
        }
      }
      var c = lastAtOrBefore(chapterStarts, t);
      currentChapter = mark(c >= 0 ? chapters[c] : null, currentChapter);
    }
    audio.addEventListener("timeupdate", update);
    audio.addEventListener("seeked", update);

    var match = /[#&]t=(\d+(?:\.\d+)?)/.exec(window.location.hash);
    if (match) audio.currentTime = parseFloat(match[1]);
  }

  function setupSearch() {
    var input = document.getElementById("transcript-search");
    var status = document.getElementById("search-status");
    if (!input) return;
    var lines = Array.prototype.slice.call(document.querySelectorAll("#transcript .line"));
    var texts = lines.map(function (line) { return line.querySelector(".text"); });
    var originals = texts.map(function (el) { return el.textContent; });
    var turns = Array.prototype.slice.call(document.querySelectorAll("#transcript .turn"));

    function highlight(el, text, query) {
      var lower = normalise(text);
      el.textContent = "";
      var from = 0, at;
      while (query && (at = lower.indexOf(query, from)) !== -1) {
        el.appendChild(document.createTextNode(text.slice(from, at)));
        var m = document.createElement("mark");
        m.textContent = text.slice(at, at + query.length);
        el.appendChild(m);
        from = at + query.length;
      }
      el.appendChild(document.createTextNode(text.slice(from)));
    }

    function run() {
      var query = normalise(input.value.trim());
      var count = 0;
      lines.forEach(function (line, i) {
        var hit = !query || normalise(originals[i]).indexOf(query) !== -1;
        line.hidden = !hit;
        if (hit && query) count += 1;
        highlight(texts[i], originals[i], hit ? query : "");
      });
      turns.forEach(function (turn) {
        turn.hidden = !turn.querySelector(".line:not([hidden])");
      });
      status.textContent = !query ? "" : count === 0 ? "Niets gevonden." : count === 1 ? "1 regel gevonden."
        : count + " regels gevonden.";
    }
    input.addEventListener("input", run);
  }

  function setupCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.querySelector(button.getAttribute("data-copy"));
      var status = button.closest(".copy-row") && button.closest(".copy-row").querySelector(".copy-status");
      button.addEventListener("click", function () {
        function done(ok) {
          if (status) status.textContent = ok ? "Gekopieerd: plak het adres in je podcast-app." :
            "Kopiëren lukte niet; selecteer het adres en kopieer het zelf.";
        }
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () {
            done(document.execCommand && document.execCommand("copy"));
          });
        } else {
          done(document.execCommand && document.execCommand("copy"));
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPlayer();
    setupSearch();
    setupCopy();
  });
})();
