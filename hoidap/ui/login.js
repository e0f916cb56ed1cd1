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
    document.querySelectorAll("input").forEach((input) => {
      const label = input.closest("label");
      if (label && !input.getAttribute("aria-label")) input.setAttribute("aria-label", label.textContent.trim());
    });
  };
  new MutationObserver(translate).observe(document.documentElement, {childList: true, subtree: true});
})();
