// Cost-line formsets: add and remove rows in the browser, and ask the server for the live TKDN-IK
// value while the owner types. The value is always computed by the server's engine (the same one
// the worker uses); this file only sends the form and shows the answer. No inline scripts, so a
// strict Content-Security-Policy works.
(function () {
  "use strict";

  var form = document.getElementById("lines-form");
  if (!form) {
    return;
  }

  // --- Rows ------------------------------------------------------------------------------------

  function totalInput(section) {
    return section.querySelector('input[name$="-TOTAL_FORMS"]');
  }

  function addRow(section) {
    var template = section.querySelector("template[data-empty-row]");
    var total = totalInput(section);
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    section.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
    schedulePreview();
  }

  function removeRow(row) {
    // Rows are never taken out of the page: the formset's numbering must stay intact. The row is
    // marked for deletion and hidden; the server drops it on save.
    var del = row.querySelector("input[data-delete]");
    if (del) {
      del.checked = true;
    }
    row.classList.add("d-none");
    row.setAttribute("aria-hidden", "true");
    // The focused button has just disappeared: the focus goes to the row that took its place
    // (the next one, else the one before), or to "add row" when the list is now empty.
    var target =
      visibleSibling(row, "nextElementSibling") || visibleSibling(row, "previousElementSibling");
    var field =
      target && target.querySelector("input:not([type=hidden]):not(.d-none), select, textarea");
    (field || row.closest("[data-formset]").querySelector("[data-add-row]")).focus();
    schedulePreview();
  }

  function visibleSibling(row, direction) {
    var el = row[direction];
    while (el && el.classList.contains("d-none")) {
      el = el[direction];
    }
    return el;
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.closest("[data-formset]"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      removeRow(remove.closest("[data-row]"));
    }
  });

  // Rows deleted before a failed save stay hidden after the page comes back.
  Array.prototype.forEach.call(form.querySelectorAll("input[data-delete]:checked"), function (el) {
    el.closest("[data-row]").classList.add("d-none");
  });

  // --- Live preview ------------------------------------------------------------------------------

  var url = form.getAttribute("data-preview-url");
  var preview = document.getElementById("preview");
  var bar = document.getElementById("preview-bar");
  var timer = null;
  var sequence = 0;

  function previewData() {
    var data = new FormData(form);
    var out = new FormData();
    data.forEach(function (value, key) {
      if (typeof value === "string") {
        out.append(key, value);
      } else if (value && value.name) {
        // Never upload files on each keystroke: tell the server a file is chosen.
        out.append(key, "1");
      }
    });
    return out;
  }

  var announce = document.getElementById("preview-announce");

  // The bar repeats the panel: the value, and ✓/✗ only when the estimate is final (every row
  // counted); while a row is left out it says "belum final" instead.
  function updateBar() {
    if (!bar) {
      return;
    }
    var panel = preview.querySelector("#result-panel");
    var value = panel ? panel.getAttribute("data-value") : "";
    var eligible = panel ? panel.getAttribute("data-eligible") : "";
    var partial = panel ? panel.getAttribute("data-partial") === "1" : false;
    var shown = panel && panel.querySelector("[data-tkdn-value]");
    bar.querySelector("[data-bar-value]").textContent = value && shown ? shown.textContent : "–";
    bar.querySelector("[data-bar-sign]").textContent = partial
      ? bar.getAttribute("data-partial-label") || ""
      : eligible === "1"
        ? "✓"
        : eligible === "0"
          ? "✗"
          : "";
    bar.classList.toggle("is-eligible", eligible === "1");
    bar.classList.toggle("is-below", eligible === "0");
    bar.classList.toggle("is-partial", partial);
  }

  // One sentence in the polite live region after each new estimate (what changed, not the table).
  function announceResult() {
    var panel = preview.querySelector("#result-panel");
    if (announce && panel) {
      announce.textContent = panel.getAttribute("data-announce") || "";
    }
  }

  // The CSRF cookie changes when the owner signs in again (e.g. in another tab after the session
  // ended); the cookie always holds the current one, so a long-open form can still be saved.
  function currentToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    if (match && field) {
      field.value = decodeURIComponent(match[1]);
    }
    return field ? field.value : "";
  }

  form.addEventListener("submit", currentToken);

  function runPreview() {
    var mine = ++sequence;
    var token = { value: currentToken() };
    preview.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: previewData(),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Preview": "1" },
    })
      .then(function (response) {
        if (response.redirected && response.url.indexOf("/akun/masuk/") !== -1) {
          // The session ended: say so before the owner types more into a form that would be
          // sent to the login page on save. Saved drafts are kept.
          var note = document.createElement("div");
          note.className = "alert alert-warning";
          note.setAttribute("role", "alert");
          note.textContent = form.getAttribute("data-session-expired") || "";
          preview.replaceChildren(note);
          throw new Error("session expired");
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (mine !== sequence) {
          return; // an older answer arrived after a newer one
        }
        preview.innerHTML = html;
        preview.removeAttribute("aria-busy");
        updateBar();
        announceResult();
      })
      .catch(function () {
        preview.removeAttribute("aria-busy");
      });
  }

  function schedulePreview() {
    if (!url || !preview) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(runPreview, 350);
  }

  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);
  updateBar();

  // --- Certified components (IK-2025) -------------------------------------------------------------
  // The TKDN value, certificate number and file of a material are asked only when its origin is
  // "certified". Hidden fields keep what was typed, so switching back and forth loses nothing.

  function syncCertified(row) {
    var origin = row.querySelector('select[name$="-origin"]');
    if (!origin) {
      return;
    }
    var show = origin.value === "certified";
    Array.prototype.forEach.call(row.querySelectorAll("[data-certified-only]"), function (el) {
      el.classList.toggle("d-none", !show);
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-row]"), syncCertified);
  form.addEventListener("change", function (event) {
    if (event.target.matches('select[name$="-origin"]')) {
      syncCertified(event.target.closest("[data-row]"));
    }
  });
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      Array.prototype.forEach.call(record.addedNodes, function (node) {
        if (node.nodeType === 1 && node.matches("[data-row]")) {
          syncCertified(node);
        }
      });
    });
  }).observe(form, { childList: true, subtree: true });
})();
