// Small behaviours kept out of the HTML so the content security policy can forbid inline script.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
