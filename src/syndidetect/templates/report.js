// Cross-links of a pair page: a click on a mark highlights every mark of its passage on both
// sides and scrolls the other side to its partner; #pN in the address selects passage N.
(function () {
  "use strict";
  function activate(mark) {
    var n = mark.getAttribute("data-passage"), side = mark.closest(".doc"), partner = null;
    document.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
    document.querySelectorAll('mark[data-passage="' + n + '"]').forEach(function (m) {
      m.classList.add("active");
      if (partner === null && m.closest(".doc") !== side) { partner = m; }
    });
    if (partner !== null) { partner.scrollIntoView({block: "center"}); }
    if (window.history.replaceState) { window.history.replaceState(null, "", "#p" + n); }
  }
  document.addEventListener("click", function (event) {
    var mark = event.target.closest ? event.target.closest("mark[data-passage]") : null;
    if (mark) { activate(mark); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("mark[data-passage]")) {
      activate(event.target);
    }
  });
  function fromAddress() {
    var hit = /^#p(\d+)$/.exec(window.location.hash);
    var first = hit ? document.querySelector('.doc mark[data-passage="' + hit[1] + '"]') : null;
    if (first) { first.scrollIntoView({block: "center"}); activate(first); }
  }
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
}());
