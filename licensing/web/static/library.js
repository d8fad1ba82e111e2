/* The license library: the list filters as you type (the form also works without this). */
(function () {
  "use strict";
  var input = document.getElementById("library-filter");
  var rows = document.querySelectorAll("#library-table tbody tr");
  var count = document.getElementById("library-count");
  function filter() {
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = !query || row.dataset.search.indexOf(query) >= 0;
      row.hidden = !match;
      if (match) shown++;
    });
    count.textContent = shown + " shown";
  }
  input.addEventListener("input", filter);
})();
