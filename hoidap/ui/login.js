// Gradio's login page in Vietnamese. That page takes neither the app's i18n nor its <head>, so
// `hoidap.ui.login_page` adds this script to the page's HTML; it does nothing on the app itself.
(() => {
  const VI = {
    "Login": "Đăng nhập", "username": "Tên đăng nhập", "password": "Khóa truy cập",
    "Incorrect Credentials": "Tên hoặc khóa không đúng",
    "If you are visiting a HuggingFace Space in Incognito mode, you must enable third party cookies.":
      "Hãy cho phép trình duyệt lưu cookie để đăng nhập.",
  };
  const TITLE = "Đăng nhập — Hỏi đáp văn bản";
  const translate = () => {
    const password = document.querySelector("input[type='password']");
    if (!password) return;
    document.documentElement.lang = "vi";
    if (document.title !== TITLE) document.title = TITLE;
    document.querySelectorAll("h2, button, p, span").forEach((el) => {
      el.childNodes.forEach((n) => {
        const text = n.nodeType === 3 ? n.textContent.trim() : "";
        if (VI[text]) n.textContent = VI[text];
      });
    });
    // The form is the page's main content and its title the page's heading (axe landmark-one-main,
    // page-has-heading-one, region).
    const title = document.querySelector("h2");
    if (title && title.getAttribute("aria-level") !== "1") title.setAttribute("aria-level", "1");
    const panel = title && title.parentElement;
    if (panel && panel.getAttribute("role") !== "main") panel.setAttribute("role", "main");
    document.querySelectorAll("input").forEach((input) => {
      const label = input.closest("label");
      if (label && !input.getAttribute("aria-label")) input.setAttribute("aria-label", label.textContent.trim());
    });
  };
  new MutationObserver(translate).observe(document.documentElement, {childList: true, subtree: true});
})();
