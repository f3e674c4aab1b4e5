// The pitch deck's slide viewer. Without JavaScript every slide is shown, one under another;
// with it, one slide at a time, turned by the Previous/Next buttons or, once the deck has
// focus, by the arrow keys, Page Up/Down, Home and End. "Slide 3 of 12" is announced politely.
// Decks that arrive later (the pitch section swapped in by htmx once ready) are set up too.
(function () {
  "use strict";

  function setUp(deck) {
    if (deck.dataset.deckReady) return;
    deck.dataset.deckReady = "1";
    const slides = Array.from(deck.querySelectorAll("[data-slide]"));
    const stage = deck.querySelector(".deck-stage");
    const controls = deck.querySelector("[data-deck-controls]");
    const position = deck.querySelector("[data-deck-position]");
    const previous = deck.querySelector("[data-deck-prev]");
    const next = deck.querySelector("[data-deck-next]");
    let current = 0;

    function show(index) {
      current = Math.max(0, Math.min(slides.length - 1, index));
      slides.forEach(function (slide, i) {
        slide.hidden = i !== current;
      });
      position.textContent = "Slide " + (current + 1) + " of " + slides.length;
      previous.disabled = current === 0;
      next.disabled = current === slides.length - 1;
      const image = slides[current].querySelector("img");
      if (image) image.loading = "eager";
    }

    previous.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", function () { show(current + 1); });
    stage.addEventListener("keydown", function (event) {
      const moves = {
        ArrowRight: current + 1, ArrowDown: current + 1, PageDown: current + 1,
        ArrowLeft: current - 1, ArrowUp: current - 1, PageUp: current - 1,
        Home: 0, End: slides.length - 1,
      };
      if (event.altKey || event.ctrlKey || event.metaKey || !(event.key in moves)) return;
      event.preventDefault();
      show(moves[event.key]);
    });
    controls.hidden = false;
    deck.classList.add("deck-one-at-a-time");
    show(0);
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("[data-deck]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setUpAll(event.target); });
})();
