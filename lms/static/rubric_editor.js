// The rubric editor of a training's own assignment, without a page reload: the buttons that post the form to
// add or remove a criterion or a level act here instead. A removed row is emptied and hidden (the server drops
// empty rows); an added one is a copy of the last row with new field names. Without JavaScript the buttons post.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rubric-editor]");
  if (!form) {
    return;
  }
  var ATTRS = ["name", "id", "for", "aria-describedby"];

  function rename(node, from, to) {
    node.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
      ATTRS.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf(from) !== -1) {
          el.setAttribute(attr, value.split(from).join(to));
        }
      });
    });
  }

  function empty(node) {
    node.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-describedby");
    });
    node.querySelectorAll(".invalid-feedback, .alert").forEach(function (el) {
      el.remove();
    });
  }

  function highest(pattern) {
    var most = -1;
    form.querySelectorAll("input[name]").forEach(function (input) {
      var match = pattern.exec(input.name);
      if (match) {
        most = Math.max(most, parseInt(match[1], 10));
      }
    });
    return most;
  }

  function visible(nodes) {
    return Array.prototype.filter.call(nodes, function (node) {
      return !node.hidden;
    });
  }

  function renumber() {
    visible(form.querySelectorAll("[data-criterion]")).forEach(function (card, index) {
      card.querySelector("legend").textContent = "Kriteria " + (index + 1);
      visible(card.querySelectorAll("[data-level]")).forEach(function (level, number) {
        level.querySelector("[data-level-title]").textContent = "Tingkat " + (number + 1);
        level.querySelector("legend").textContent = "Kriteria " + (index + 1) + ", tingkat " + (number + 1);
      });
    });
  }

  function firstInput(node) {
    var input = node.querySelector("input:not([type=hidden])");
    if (input) {
      input.focus();
    }
  }

  function addLevel(card) {
    var levels = visible(card.querySelectorAll("[data-level]"));
    var last = levels[levels.length - 1] || card.querySelector("[data-level]");
    var named = last.querySelector("input[name]").name;
    var prefix = /^(criteria-\d+-levels-)(\d+)-/.exec(named);
    var copy = last.cloneNode(true);
    var top = highest(new RegExp("^" + prefix[1] + "(\\d+)-"));
    rename(copy, prefix[1] + prefix[2] + "-", prefix[1] + (top + 1) + "-");
    empty(copy);
    copy.hidden = false;
    last.parentNode.insertBefore(copy, last.nextSibling);
    renumber();
    firstInput(copy);
  }

  function addCriterion() {
    var cards = form.querySelectorAll("[data-criterion]");
    var last = cards[cards.length - 1];
    var named = /^criteria-(\d+)-/.exec(last.querySelector("input[name]").name);
    var copy = last.cloneNode(true);
    rename(copy, "criteria-" + named[1] + "-", "criteria-" + (highest(/^criteria-(\d+)-/) + 1) + "-");
    empty(copy);
    copy.hidden = false;
    copy.querySelectorAll("[data-level]").forEach(function (level) {
      level.hidden = false;
    });
    last.parentNode.insertBefore(copy, last.nextSibling);
    renumber();
    firstInput(copy);
  }

  function remove(node) {
    empty(node);
    node.hidden = true;
    renumber();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=do]");
    if (!button) {
      return;
    }
    var action = button.value;
    var card = button.closest("[data-criterion]");
    if (action === "add-criterion") {
      addCriterion();
    } else if (action.indexOf("add-level-") === 0 && card) {
      addLevel(card);
    } else if (action.indexOf("remove-level-") === 0) {
      remove(button.closest("[data-level]"));
    } else if (action.indexOf("remove-criterion-") === 0 && card) {
      remove(card);
    } else {
      return;
    }
    event.preventDefault();
  });
})();
