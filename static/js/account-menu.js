// The header's account menu is a <details> element, so it opens and closes without JavaScript.
// With it, the menu also closes the way menus do: on Escape (focus back on its toggle) and on a
// click or focus outside it.
(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll("details.account-menu[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.open = false;
      var toggle = menu.querySelector("summary");
      if (toggle && menu.contains(document.activeElement)) toggle.focus();
    });
  });

  function closeOutside(event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  }

  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);
})();
