// Copy buttons on connex_bridge's secret page: copy the text of the element named by data-copy.
// A static file (no inline script), so a Content-Security-Policy of script-src 'self' allows it.
"use strict";
(function () {
  function fallbackCopy(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    const done = document.execCommand("copy");
    selection.removeAllRanges();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(element) {
    const text = element.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(element); });
    }
    return fallbackCopy(element);
  }

  function init() {
    document.querySelectorAll("button.connex-copy[data-copy]").forEach(function (button) {
      const target = document.getElementById(button.dataset.copy);
      if (!target) {
        return;
      }
      button.hidden = false;  // without JavaScript the button stays hidden: select the text instead
      const label = button.textContent;
      button.addEventListener("click", function () {
        copy(target).then(function () {
          button.classList.add("connex-copied");
          button.textContent = button.dataset.copiedLabel || label;
          window.setTimeout(function () { button.classList.remove("connex-copied"); }, 2000);
        }, function () {
          const range = document.createRange();
          range.selectNodeContents(target);
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(range);
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
