"""How the page looks and speaks: Gradio's theme, its own labels in Vietnamese, the page's CSS
(`page.css`, `head.css`) and script (`page.js`)."""

from __future__ import annotations

from importlib import resources

import gradio as gr


def _read(name: str) -> str:
    return resources.files("hoidap.ui").joinpath(name).read_text(encoding="utf-8")


CSS = _read("page.css")
# The page's behaviour, by event delegation so it survives Gradio re-rendering the HTML:
# copy buttons put PLAIN TEXT on the clipboard; each new reply scrolls to its own start (Gradio's
# autoscroll went to the bottom of long replies) and its question goes into the URL (?q=);
# "Xem trong văn bản" asks the server for the source view, which scrolls to the marked passage;
# table headers sort; Gradio's English toasts are said in Vietnamese.
HEAD = f"<style>{_read('head.css')}</style><script>{_read('page.js')}</script>"
# The print view: the task table alone (see @media print in head.css), every shortened text unfolded.
PRINT_JS = (
    "() => { document.querySelectorAll('#hd-task-table details').forEach((d) => { d.open = true; });"
    " print(); }"
)

# Gradio's own labels in Vietnamese (for English and Vietnamese browsers alike).
VI_LABELS = {
    "upload_text.drop_file": "Kéo thả tệp vào đây",
    "upload_text.click_to_upload": "Bấm để chọn tệp",
    "common.or": "hoặc",
    "common.clear": "Xóa",
    "common.download": "Tải xuống",
    "common.remove": "Bỏ",
    "common.loading": "Đang tải",
    "common.error": "Lỗi",
    "common.empty": "Trống",
    "file.uploading": "Đang tải lên…",
    "chatbot.clear": "Xóa hội thoại",
    "chatbot.copy_message": "Chép câu trả lời",
    "chatbot.copied_message": "Đã chép",
    "dataframe.sort_column": "Sắp xếp cột",
    "dataframe.sort_ascending": "Tăng dần",
    "dataframe.sort_descending": "Giảm dần",
    "dataframe.clear_sort": "Bỏ sắp xếp",
    "dataframe.filter": "Lọc",
    "dataframe.clear_filter": "Bỏ lọc",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "common.built_with_gradio": "Xây dựng bằng Gradio",
    "common.settings": "Cài đặt",
    "common.language": "Ngôn ngữ",
    "common.display_theme": "Giao diện sáng/tối",
    "common.use_via_api": "Dùng qua API",
    "blocks.lost_connection": "Mất kết nối do rời trang. Đang vào lại hàng đợi…",
    "blocks.connection_can_break": "Trên điện thoại, kết nối có thể ngắt khi rời thẻ này hoặc máy ngủ.",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp xong, hãy thử lại.",
    "chatbot.chatbot": "Hội thoại",
    "chatbot.conversation": "Hội thoại",
    "upload_text.drop_csv": "Kéo thả tệp CSV vào đây",
    "errors.use_via_api": "Dùng qua API",
    "login.login": "Đăng nhập",
    "login.username": "Tên đăng nhập",
    "login.password": "Khóa truy cập",
    "login.incorrect_credentials": "Tên hoặc khóa không đúng",
    "login.enable_cookies": "Hãy bật cookie của trình duyệt để đăng nhập.",
}


def i18n() -> gr.I18n:
    return gr.I18n(en=VI_LABELS, vi=VI_LABELS)


def theme() -> gr.themes.Base:
    # System fonts only: no request to Google Fonts (the page must work offline).
    # Darker shades than Soft's defaults: labels, info lines and buttons reach WCAG AA (4.5:1).
    return gr.themes.Soft(
        primary_hue="blue",
        font=["system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        body_text_color_subdued="*neutral_600",
        block_label_text_color="*primary_800",
        block_title_text_color="*neutral_800",
        block_info_text_color="*neutral_600",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_secondary_text_color="*neutral_800",
        checkbox_label_text_color="*neutral_800",
        checkbox_label_background_fill_selected="*primary_700",
        checkbox_label_text_color_selected="white",
        input_placeholder_color="*neutral_500",
    )
