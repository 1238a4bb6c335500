// Profile form: picking a taxonomy suggestion appends it to the processes box.
// Typing in the box works without this script.
(function () {
  var pick = document.getElementById("process-pick");
  var box = document.getElementById("processes");
  if (!pick || !box) return;
  var labels = new Set(Array.from(document.querySelectorAll("#capability-labels option"),
    function (o) { return o.value; }));
  pick.addEventListener("change", function () {
    if (!labels.has(pick.value)) return;
    var current = box.value.trim().replace(/;$/, "");
    box.value = current ? current + "; " + pick.value : pick.value;
    pick.value = "";
  });
})();
