// Focus follows in-place updates: every htmx swap in the product goes through here.
//
// A fragment marks what a keyboard or screen-reader user should land on with `data-focus`
// (a form's heading, an outcome's status message). After the swap that element gets focus
// (made focusable with tabindex="-1" if it is not) and is scrolled into view. If a swap (or an
// out-of-band swap) replaced the element that had focus and the fragment marks nothing, focus
// goes to the new content: a form's first field, else the content itself, never the page
// body. Polls (the bell, new messages) mark nothing and never hold focus, so they never move it.
(function () {
  "use strict";

  const FIELD = "textarea, select, input:not([type=hidden]), button";
  let lost = null; // how to find the new content, when a swap takes the focused element away

  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function remember(target) {
    if (target && target.contains(document.activeElement) && document.activeElement !== document.body) {
      lost = target.id ? { id: target.id } : { element: target };
    }
  }

  // A page loaded whole keeps its own focus: marks in it are only for later swaps.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-focus]").forEach(function (element) {
      element.removeAttribute("data-focus");
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    remember(event.detail.target);
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    remember(event.detail.target);
  });

  document.addEventListener("htmx:afterSettle", function () {
    const marked = document.querySelector("[data-focus]");
    if (marked) {
      marked.removeAttribute("data-focus");
      focusOn(marked);
    } else if (lost && (!document.activeElement || document.activeElement === document.body)) {
      let fresh = lost.id ? document.getElementById(lost.id) : lost.element;
      if (!fresh || !fresh.isConnected) {
        fresh = document.querySelector("main");
      }
      const field = fresh.matches("form") ? fresh.querySelector(FIELD) : null;
      focusOn(field || fresh);
    }
    lost = null;
  });
})();
