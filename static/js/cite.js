// The Cite control's copy button (templates/works/_citation.html): copies the citation loaded
// into the panel. The button arrives with the htmx-loaded citation, so one listener on the
// document serves every work on the page.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copyTarget);
  const status = button.parentElement.querySelector(".citation__status");
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text.textContent.trim());
    status.textContent = "Copied";
  } catch {
    // No clipboard (an insecure origin, or permission refused): select the text for the keyboard.
    const range = document.createRange();
    range.selectNodeContents(text);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    status.textContent = "Selected: press Ctrl+C (⌘C) to copy";
  }
});
