// Espace: small enhancements on top of htmx. Everything works without this file.
"use strict";
(function () {
  var opener = null;

  function each(root, selector, fn) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches(selector)) fn(root);
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function announce(text) {
    var status = document.getElementById("status");
    if (status) status.textContent = text;
  }

  function enhance(root) {
    // Controls that only make sense with JS ship hidden.
    each(root, "[data-password-toggle][hidden]", function (b) { b.hidden = false; });
    each(root, "#session-end", armSession);
    each(root, "dialog[data-open]", function (d) {
      d.removeAttribute("data-open");
      d._opener = opener;
      if (!d.open) d.showModal();
    });
  }

  // A page showing errors says so: the server then answers every block that shows them.
  document.addEventListener("htmx:before:request", function (e) {
    if (document.querySelector(".error-summary")) e.detail.ctx.request.headers["Espace-Page-Errors"] = "1";
  });

  // aria-busy on the target, and on a submitted form, while an htmx request runs (not on the
  // form of a field being typed in: its echo must not be held back).
  document.addEventListener("htmx:before:request", function (e) {
    var ctx = e.detail.ctx, src = ctx.sourceElement;
    ctx.busy = [src && src.matches && src.matches("form") ? src : null, ctx.target];
    ctx.busy.forEach(function (el) { if (el && el.setAttribute) el.setAttribute("aria-busy", "true"); });
  });
  document.addEventListener("htmx:finally:request", function (e) {
    (e.detail.ctx.busy || []).forEach(function (el) { if (el && el.removeAttribute) el.removeAttribute("aria-busy"); });
  });

  // After a swap, move focus to the new content's heading (autofocus or data-focus-on-swap).
  // htmx itself focuses [autofocus] right after this event: make headings focusable first.
  // A morph keeps the focused element: the focus stays where it is.
  // Once over all the new content: an [autofocus] (an error summary) is focused by htmx, and
  // nothing else may take the focus before it.
  document.addEventListener("htmx:after:settle", function (e) {
    var spec = e.detail.task && e.detail.task.swapSpec;
    var morphed = spec && /Morph$/.test(spec.style || "");
    var found = [];
    (e.detail.newContent || []).forEach(function (node) {
      if (node.nodeType !== 1) return;
      enhance(node);
      each(node, "[autofocus], [data-focus-on-swap]", function (el) {
        if (el.tabIndex < 0 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
        found.push(el);
      });
    });
    if (!morphed && found.length && !found.some(function (el) { return el.hasAttribute("autofocus"); })) found[0].focus();
  });

  // A form saved as it is typed (data-hx-trigger="espace:save", data-save-delay in ms): the
  // changes within the delay go in one save; a request of one of the form's buttons carries
  // them instead (every POST of the form keeps what was typed). A page hidden or left sends
  // them at once, by a fetch that outlives the page; as that save may reach the server after
  // the next page's request (a reload), a page left also hands them to the tab's next page
  // (sessionStorage, until that page shows): the same form puts back those it does not show,
  // and saves them. Without JS every POST of the form keeps what was typed.
  var unsaved = new Map(); // form → its save's timer
  var HANDOFF = "espace-unsaved";
  function saveLater(form) {
    forget();
    clearTimeout(unsaved.get(form));
    unsaved.set(form, setTimeout(function () {
      unsaved.delete(form);
      htmx.trigger(form, "espace:save");
    }, Number(form.getAttribute("data-save-delay"))));
  }
  function carried(form) {
    clearTimeout(unsaved.get(form));
    unsaved.delete(form);
  }
  function saveNow(leaving) {
    unsaved.forEach(function (timer, form) {
      clearTimeout(timer);
      var fields = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute("data-hx-post"), { method: "POST", body: fields, keepalive: true,
        credentials: "same-origin", headers: { "HX-Request": "true" } });
      if (leaving) try {
        var typed = new URLSearchParams(fields); // what the member typed: no token kept
        form.querySelectorAll("input[type=hidden]").forEach(function (input) { typed.delete(input.name); });
        sessionStorage.setItem(HANDOFF, JSON.stringify([location.pathname, form.id, typed.toString()]));
      } catch (_) { /* storage off: the save alone */ }
    });
    unsaved.clear();
  }
  function forget() {
    try { sessionStorage.removeItem(HANDOFF); } catch (_) { /* storage off */ }
  }
  function takeHandoff() {
    var kept;
    try { kept = JSON.parse(sessionStorage.getItem(HANDOFF)); } catch (_) { return; }
    forget();
    var form = kept && kept[0] === location.pathname && document.getElementById(kept[1]);
    if (!form || !form.hasAttribute("data-save-delay")) return;
    var changed = false;
    new URLSearchParams(kept[2]).forEach(function (value, name) {
      var field = form.elements.namedItem(name);
      if (!field || field.type === "hidden" || !("value" in field) || field.value === value) return;
      field.value = value;
      changed = true;
    });
    if (changed) saveLater(form);
  }
  document.addEventListener("change", function (e) {
    var form = e.target.form;
    if (form && form.hasAttribute("data-save-delay")) saveLater(form);
  });
  document.addEventListener("htmx:config:request", function (e) {
    var ctx = e.detail.ctx, form = sentForm(ctx);
    if (form) carried(form);
    if (ctx.target && !/^none\b/.test(ctx.swap)) supersede(ctx.target);
  });
  // The form whose fields a POST carries: a button's (mss), or the form itself when it is
  // submitted (the wizard's Suivant and Précédent); not the form's own save as typed.
  function sentForm(ctx) {
    var src = ctx.sourceElement;
    if (ctx.request.method === "GET" || !src || !src.matches) return null;
    if (src.matches("form")) return ctx.sourceEvent && ctx.sourceEvent.type === "submit" ? src : null;
    return src.matches("button, [type=submit]") ? src.form : null;
  }
  // An answer still on its way to a field with a queue of its own (the mss security panel,
  // the wizard's radios) was asked before this request, whose answer replaces where it would
  // land (Verify's and Submit's the panel, Suivant's and a link's the step): it is given up.
  // Not bubbling: the form's own listener would give up the form's queue (Verify itself).
  function supersede(target) {
    document.querySelectorAll("[data-hx-sync$=':replace'][data-hx-target]").forEach(function (field) {
      var into = htmx.find(field, field.getAttribute("data-hx-target"));
      if (into && target.contains(into)) htmx.trigger(field, "htmx:abort", {}, false);
    });
  }
  document.addEventListener("submit", function (e) { carried(e.target); });
  window.addEventListener("beforeunload", function () { saveNow(true); });
  window.addEventListener("pagehide", function () { saveNow(true); });
  window.addEventListener("pageshow", takeHandoff);
  document.addEventListener("visibilitychange", function () { if (document.hidden) saveNow(false); });

  // What names a field: its fieldset's legend for a radio or a checkbox, or when the legend
  // and the field fit in half the window together; else its label (GOV.UK's error summary).
  function captionOf(field) {
    var fieldset = field.closest("fieldset"), legend = fieldset && fieldset.querySelector("legend");
    if (legend) {
      if (field === fieldset || field.type === "radio" || field.type === "checkbox") return legend;
      var box = field.getBoundingClientRect();
      if (box.bottom - legend.getBoundingClientRect().top < window.innerHeight / 2) return legend;
    }
    return (field.id && document.querySelector("label[for='" + CSS.escape(field.id) + "']")) || field.closest("label");
  }

  // An error summary link focuses its field with the field's label or legend in view (the
  // browser alone would scroll the field to the top edge, hiding what names it).
  function followSummaryLink(link, e) {
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    e.preventDefault();
    history.pushState(history.state, "", link.hash);
    (captionOf(field) || field).scrollIntoView();
    if (field.tabIndex < 0 && !field.hasAttribute("tabindex")) field.setAttribute("tabindex", "-1");
    field.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".error-summary a[href^='#']");
    if (link) return followSummaryLink(link, e);
    var el = e.target.closest && e.target.closest("[data-dialog], [data-close-dialog], [data-password-toggle]");
    if (!el) return;
    if (el.hasAttribute("data-dialog")) {
      opener = el;
    } else if (el.hasAttribute("data-close-dialog")) {
      var dialog = el.closest("dialog");
      if (!dialog) return;
      if (el.matches("a")) e.preventDefault();
      dialog.close();
    } else {
      var input = document.getElementById(el.getAttribute("aria-controls"));
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      el.querySelector(".password__toggle-text").textContent = el.getAttribute(show ? "data-hide" : "data-show");
      announce(el.getAttribute(show ? "data-shown-status" : "data-hidden-status"));
    }
  });

  // A shown password is hidden again when its form is sent, and when the page comes back from
  // the back-forward cache: it is never left readable on a page the member has left.
  function hidePasswords(root) {
    each(root, "[data-password-toggle]", function (button) {
      var input = document.getElementById(button.getAttribute("aria-controls"));
      if (!input || input.type === "password") return;
      input.type = "password";
      button.querySelector(".password__toggle-text").textContent = button.getAttribute("data-show");
    });
  }
  document.addEventListener("submit", function (e) { hidePasswords(e.target); }, true);
  window.addEventListener("pageshow", function (e) { if (e.persisted) hidePasswords(document.body); });

  // "close" does not bubble: listen in the capture phase. Focus goes back to the opening link.
  document.addEventListener("close", function (e) {
    var link = e.target._opener;
    if (e.target.matches("dialog") && link && link.isConnected) link.focus();
  }, true);

  // The session's end (accounts/session_end.html): the dialog opens ahead of it and offers to
  // stay logged in; once the end has passed, it says so (WCAG 2.2.1).
  var sessionTimers = [];
  function showSession(dialog, ended) {
    var part = ended ? "ended" : "warning";
    dialog.querySelector("[data-session-warning]").hidden = ended;
    dialog.querySelector("[data-session-ended]").hidden = !ended;
    dialog.setAttribute("aria-labelledby", "session-" + part + "-title");
    dialog.setAttribute("aria-describedby", "session-" + part + "-text");
    if (!dialog.open) {
      dialog._opener = document.activeElement;
      dialog.showModal();
    }
    if (ended) dialog.querySelector("[data-session-ended] a").focus();
  }
  function armSession(clock) {
    var dialog = document.getElementById("session-dialog");
    sessionTimers.forEach(clearTimeout);
    if (!dialog) return;
    if (!clock.hasAttribute("data-session-left")) return showSession(dialog, true);
    var time = clock.querySelector("time");
    dialog.querySelector("[data-session-time]").textContent = time ? time.textContent : "";
    if (dialog.open) dialog.close();
    sessionTimers = [
      setTimeout(function () { showSession(dialog, false); }, 1000 * Number(clock.getAttribute("data-session-warn"))),
      setTimeout(function () { showSession(dialog, true); }, 1000 * Number(clock.getAttribute("data-session-left")))
    ];
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document.body); });
  } else {
    enhance(document.body);
  }
})();
