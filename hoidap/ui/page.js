// The page's behaviour (see HEAD in theme.py); loaded into <head> by Gradio.
(() => {
  const VI = {
    "Connection to the server was lost. Attempting reconnection...":
      "Mất kết nối tới máy chủ. Đang thử kết nối lại…",
    "Lost connection due to leaving page. Rejoining queue...": "Mất kết nối do rời trang. Đang vào lại hàng đợi…",
    "Error": "Lỗi", "Warning": "Cảnh báo", "Info": "Thông tin",
  };
  // Some of Gradio's controls carry fixed English aria-labels (not in its i18n): said in Vietnamese.
  const ARIA_VI = {
    "Scroll down": "Cuộn xuống cuối hội thoại", "Reset to default value": "Đặt lại giá trị mặc định",
    "More tabs": "Các thẻ khác", "chatbot conversation": "Hội thoại",
    // The drop zone's name holds its visible text (axe label-content-name-mismatch).
    "Click to upload or drop files": "Kéo thả tệp vào đây hoặc bấm để chọn tệp", "File upload": "Tải tệp lên",
  };
  const sayInVietnamese = () => {
    Object.entries(ARIA_VI).forEach(([en, vi]) => {
      document.querySelectorAll(`[aria-label="${en}"]`).forEach((el) => el.setAttribute("aria-label", vi));
    });
  };
  const copyText = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const ta = document.createElement("textarea");
      ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
      document.body.appendChild(ta); ta.select();
      let ok = false; try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
      ta.remove(); return ok;
    }
  };
  const flash = (btn, ok) => {
    if (!btn.dataset.label) btn.dataset.label = btn.textContent;
    btn.textContent = ok ? "Đã chép ✓" : "Không chép được";
    setTimeout(() => { btn.textContent = btn.dataset.label; }, 1800);
  };
  // The text the server put next to a button (`hd-data`: one <span> a line).
  const dataOf = (btn) => {
    const d = btn.nextElementSibling;
    if (!d || !d.classList.contains("hd-data")) return "";
    return Array.from(d.children).map((c) => c.textContent).join("\n");
  };
  const askLink = (q) => {
    const u = new URL(location.href); u.hash = ""; u.search = ""; u.searchParams.set("q", q); return u;
  };
  const sortBy = (btn) => {
    const th = btn.closest("th"), table = btn.closest("table");
    const col = Array.from(th.parentNode.children).indexOf(th);
    const dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    table.querySelectorAll("thead th").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", dir);
    const body = table.tBodies[0], coll = new Intl.Collator("vi", {numeric: true, sensitivity: "base"});
    const key = (r) => (r.cells[col] && r.cells[col].dataset.key) || "";
    const rows = Array.from(body.rows).filter((r) => !r.classList.contains("hd-empty"));
    rows.sort((a, b) => coll.compare(key(a), key(b)) * (dir === "ascending" ? 1 : -1));
    rows.forEach((r) => body.appendChild(r));
  };
  // The source viewer is a modal dialog: focus goes to its close button when it opens and back to the
  // button that opened it when it closes; Tab stays inside it while it is open.
  let opener = null, viewerShown = false;
  const watchViewer = () => {
    const v = document.querySelector("#hd-viewer");
    const shown = !!(v && v.getClientRects().length);
    if (v && !v.getAttribute("role")) {
      v.setAttribute("role", "dialog"); v.setAttribute("aria-modal", "true");
      v.setAttribute("aria-label", "Văn bản nguồn");
    }
    if (shown && !viewerShown) {
      const c = document.querySelector("#hd-viewer-close");
      if (c) setTimeout(() => c.focus(), 0);
    } else if (!shown && viewerShown && opener && document.contains(opener)) {
      opener.focus();
    }
    viewerShown = shown;
  };
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Tab" || !viewerShown) return;
    const v = document.querySelector("#hd-viewer");
    const items = Array.from(v.querySelectorAll("button, a[href], [tabindex]:not([tabindex='-1'])"))
      .filter((e) => e.getClientRects().length);
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (!v.contains(document.activeElement)) { ev.preventDefault(); first.focus(); }
    else if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
  });
  // A Gradio text box set from the script, as if typed (its change event runs on the server).
  const setBox = (sel, value) => {
    const box = document.querySelector(`${sel} textarea, ${sel} input`);
    if (!box) return;
    const proto = box.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value").set.call(box, value);
    box.dispatchEvent(new Event("input", {bubbles: true}));
  };
  const openSource = (btn) => {
    opener = btn;
    setBox("#hd-src-req", dataOf(btn) + "|" + Date.now());
  };
  // "Mở trong thẻ Nhiệm vụ" on a listing answer: the task table with the same agency and role.
  const openTasks = (btn) => {
    const [agency, role] = dataOf(btn).split("\n");
    const tab = Array.from(document.querySelectorAll("button[role='tab']"))
      .find((b) => b.textContent.trim() === "Nhiệm vụ");
    if (tab) tab.click();
    setTimeout(() => {
      setBox("#hd-task-agency", agency || "");
      const radio = document.querySelector(`#hd-task-role input[value='${role || "any"}']`);
      if (radio && !radio.checked) radio.click();
      const table = document.querySelector("#hd-task-table");
      if (table) table.scrollIntoView({block: "start"});
    }, 150);
  };
  // The skip link after "Gửi": focus on the latest reply's first copy button ("Chép trích dẫn").
  const toLatestReply = () => {
    const replies = document.querySelectorAll("#hd-chat .hd-reply");
    const last = replies[replies.length - 1];
    const target = last && last.querySelector(".hd-copy");
    if (target) target.focus();
  };
  document.addEventListener("click", (ev) => {
    const t = ev.target instanceof Element ? ev.target : ev.target.parentElement;
    if (!t) return;
    if (t.closest(".hd-skip")) { ev.preventDefault(); toLatestReply(); return; }
    const tasks = t.closest(".hd-open-tasks");
    if (tasks) { ev.preventDefault(); openTasks(tasks); return; }
    const copy = t.closest(".hd-copy");
    if (copy) { ev.preventDefault(); copyText(dataOf(copy)).then((ok) => flash(copy, ok)); return; }
    const link = t.closest(".hd-copy-link");
    if (link) { ev.preventDefault(); copyText(askLink(dataOf(link)).toString()).then((ok) => flash(link, ok)); return; }
    const src = t.closest(".hd-open-src");
    if (src) { ev.preventDefault(); openSource(src); return; }
    const jump = t.closest(".hd-jump");
    if (jump) { const at = document.getElementById(jump.dataset.target); if (at) at.scrollIntoView({block: "start"}); return; }
    const sort = t.closest(".hd-sort");
    if (sort) sortBy(sort);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    const v = document.querySelector("#hd-viewer");
    if (v && v.getClientRects().length) { const c = document.querySelector("#hd-viewer-close"); if (c) c.click(); }
  });
  // The question bubble a reply answers: the nearest user row before the reply's row (none when a bot
  // row comes first, e.g. a restored reply whose question was not kept).
  const questionOf = (el) => {
    const row = el.closest(".message-row");
    for (let r = row && row.previousElementSibling; r; r = r.previousElementSibling) {
      if (r.classList.contains("user-row")) return r;
      if (r.classList.contains("bot-row")) return null;
    }
    return null;
  };
  // A new reply is shown with its question at the top of the chat's own scroll box when the question
  // and the short answer fit in the box (and the window) together; otherwise the reply's start is put
  // there, so the short answer stays in view. The window moves only when that top is not on screen
  // (so on a desktop the title and question box stay where they are).
  const reveal = (el) => {
    let box = el.parentElement;
    while (box && box !== document.body) {
      const oy = getComputedStyle(box).overflowY;
      if ((oy === "auto" || oy === "scroll") && box.scrollHeight > box.clientHeight + 1) break;
      box = box.parentElement;
    }
    const inBox = box && box !== document.body;
    const short = el.querySelector(".hd-answer") || el;
    const q = questionOf(el);
    let anchor = el;
    if (q) {
      const room = Math.min(inBox ? box.clientHeight : Infinity, window.innerHeight) - 24;
      if (short.getBoundingClientRect().bottom - q.getBoundingClientRect().top <= room) anchor = q;
    }
    if (inBox) box.scrollTop += anchor.getBoundingClientRect().top - box.getBoundingClientRect().top - 12;
    const top = anchor.getBoundingClientRect().top;
    const low = short.getBoundingClientRect().bottom > window.innerHeight && anchor !== el;
    if (top < 0 || top > window.innerHeight - 120 || low) window.scrollBy(0, top - 12);
  };
  const seen = new WeakSet();
  const settle = (fn) => { requestAnimationFrame(fn); setTimeout(fn, 120); setTimeout(fn, 400); };
  // Each reply arrives once, whole (`.hd-turn`); the server re-sends earlier ones folded to their gist
  // (`.hd-folded`), which are unfolded here from the copy kept (in localStorage, so a reload keeps them).
  const TURNS_KEY = "hoidap-turns", MAX_TURNS = 40;
  let turns = {};
  try { turns = JSON.parse(localStorage.getItem(TURNS_KEY) || "{}") || {}; } catch (_) { turns = {}; }
  const keepTurn = (id, htmlText) => {
    if (turns[id] === htmlText) return;
    delete turns[id];
    turns[id] = htmlText;
    const ids = Object.keys(turns);
    ids.slice(0, Math.max(0, ids.length - MAX_TURNS)).forEach((old) => delete turns[old]);
    try { localStorage.setItem(TURNS_KEY, JSON.stringify(turns)); } catch (_) { /* full: kept for this visit */ }
  };
  const turnOf = (el) => (Array.from(el.classList).find((c) => c.startsWith("hd-turn-")) || "").slice(8);
  const unfoldTurns = (chat) => {
    chat.querySelectorAll(".hd-turn").forEach((t) => { if (turnOf(t)) keepTurn(turnOf(t), t.innerHTML); });
    chat.querySelectorAll(".hd-folded:not(.hd-unfolded)").forEach((f) => {
      const kept = turns[turnOf(f)];
      if (!kept) return;
      f.innerHTML = kept;
      f.classList.add("hd-unfolded");
      f.querySelectorAll(".hd-reply, .hd-error, .hd-pending").forEach((e) => seen.add(e));
    });
  };
  const onChange = () => {
    const chat = document.querySelector("#hd-chat");
    if (chat) {
      unfoldTurns(chat);
      const skip = document.querySelector(".hd-skip");
      if (skip) skip.classList.toggle("hd-on", !!chat.querySelector(".hd-reply .hd-copy"));
      const fresh = Array.from(chat.querySelectorAll(".hd-reply, .hd-error, .hd-pending")).filter((e) => !seen.has(e));
      fresh.forEach((e) => seen.add(e));
      const last = fresh[fresh.length - 1];
      if (last) {
        settle(() => reveal(last));
        const q = last.querySelector(".hd-copy-link");
        if (q && dataOf(q)) history.replaceState(null, "", askLink(dataOf(q)));
      }
      // Gradio labels a message with its raw HTML; a screen reader should hear the answer instead.
      chat.querySelectorAll("[aria-label*='<']").forEach((m) => {
        const ans = m.querySelector(".hd-answer, .hd-error, .hd-pending");
        m.setAttribute("aria-label", ans ? ans.textContent.trim() : m.textContent.trim().slice(0, 200));
      });
    }
    document.querySelectorAll("#hd-viewer mark.hd-cited").forEach((m, i) => {
      if (i === 0 && !seen.has(m)) { seen.add(m); settle(() => m.scrollIntoView({block: "center"})); }
    });
    sayInVietnamese();
    watchViewer();
    document.querySelectorAll(".toast-body, .toast-title, .toast-text").forEach((el) => {
      const txt = el.textContent.trim();
      if (VI[txt]) el.textContent = VI[txt];
    });
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; onChange(); });
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
