// Training tabs on a phone: bring the active tab into view, and mark the sides that have more tabs.
document.querySelectorAll("[data-tabs]").forEach(function (box) {
  var list = box.querySelector(".nav-tabs");
  var active = list.querySelector(".active");
  if (active) {
    list.scrollLeft = active.offsetLeft - (list.clientWidth - active.offsetWidth) / 2;
  }
  function mark() {
    var end = list.scrollWidth - list.clientWidth;
    box.classList.toggle("more-start", list.scrollLeft > 2);
    box.classList.toggle("more-end", list.scrollLeft < end - 2);
  }
  list.addEventListener("scroll", mark, { passive: true });
  window.addEventListener("resize", mark);
  mark();
});
