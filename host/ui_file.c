/* The customer UI's words for files from the operator (English and Japanese), shared by the
 * windows and the terminal. */
#include "ui_impl.h"

#include <stdio.h>

#include "sasae/wire.h"

/* clang-format off */
static const char *const en[HOST_UI_F_N] = {
    [HOST_UI_F_TITLE] = "File from the operator",
    [HOST_UI_F_ASK] = "%s (%s) wants to send you a file:",
    [HOST_UI_F_SAVE_TO] = "Save to: %s",
    [HOST_UI_F_SAVE] = "Save",
    [HOST_UI_F_DECLINE] = "Decline",
    [HOST_UI_F_FOLDER] = "Other folder…",
    [HOST_UI_F_HINT] = "Nothing is saved unless you choose Save. A file with the same name is never replaced.",
    [HOST_UI_F_TTY_ASK] = "Save it? [y = save / N = decline / or type a folder] ",
    [HOST_UI_F_RECEIVING] = "Receiving %s: %d %% of %s",
    [HOST_UI_F_SAVED] = "Saved: %s",
    [HOST_UI_F_DECLINED] = "You declined the file.",
    [HOST_UI_F_REFUSED] = "A file from the operator was refused: %s",
    [HOST_UI_F_CHECKSUM] = "%s arrived damaged and was not kept.",
    [HOST_UI_F_CANCELLED] = "The operator stopped sending %s.",
    [HOST_UI_F_FAILED] = "The file could not be saved: %s",
    [HOST_UI_F_TIMED_OUT] = "No answer within %d s: %s was declined.",
    [HOST_UI_F_AUTO] = "Declined automatically in %d s",
    [HOST_UI_F_FOLDER_TITLE] = "Choose where to save the file from the operator",
};
static const char *const ja[HOST_UI_F_N] = {
    [HOST_UI_F_TITLE] = "担当者からのファイル",
    [HOST_UI_F_ASK] = "%s（%s）がファイルを送ろうとしています：",
    [HOST_UI_F_SAVE_TO] = "保存先：%s",
    [HOST_UI_F_SAVE] = "保存",
    [HOST_UI_F_DECLINE] = "受け取らない",
    [HOST_UI_F_FOLDER] = "別のフォルダー…",
    [HOST_UI_F_HINT] = "「保存」を選ばない限り何も保存されません。同じ名前のファイルが上書きされることはありません。",
    [HOST_UI_F_TTY_ASK] = "保存しますか？ [y = 保存 / N = 受け取らない / または保存先フォルダーを入力] ",
    [HOST_UI_F_RECEIVING] = "%s を受信中：%d %%（%s）",
    [HOST_UI_F_SAVED] = "保存しました：%s",
    [HOST_UI_F_DECLINED] = "ファイルの受け取りを断りました。",
    [HOST_UI_F_REFUSED] = "担当者からのファイルを拒否しました：%s",
    [HOST_UI_F_CHECKSUM] = "%s は途中で壊れたため保存しませんでした。",
    [HOST_UI_F_CANCELLED] = "担当者が %s の送信を中止しました。",
    [HOST_UI_F_FAILED] = "ファイルを保存できませんでした：%s",
    [HOST_UI_F_TIMED_OUT] = "%d 秒以内に応答がなかったため、%s を受け取りませんでした。",
    [HOST_UI_F_AUTO] = "あと %d 秒で自動的に受け取りを断ります",
    [HOST_UI_F_FOLDER_TITLE] = "担当者からのファイルの保存先を選んでください",
};
/* clang-format on */

const char *host_ui_file_str(enum host_ui_fstr s, bool japanese)
{
    const char *v = (japanese ? ja : en)[s];
    return v ? v : en[s];
}

void host_ui_file_size(uint64_t n, char *out, size_t cap)
{
    if (n < 1024)
        snprintf(out, cap, "%llu B", (unsigned long long)n);
    else if (n < 1024 * 1024)
        snprintf(out, cap, "%.1f KB", (double)n / 1024);
    else if (n < 1024ull * 1024 * 1024)
        snprintf(out, cap, "%.1f MB", (double)n / (1024 * 1024));
    else
        snprintf(out, cap, "%.2f GB", (double)n / (1024.0 * 1024 * 1024));
}

void host_ui_file_line(const struct host_view_file *f, bool j, char *out, size_t cap)
{
    if (!cap)
        return;
    out[0] = 0;
    char size[32];
    if (f->state == 2) {
        host_ui_file_size(f->size, size, sizeof size);
        int pct = f->size ? (int)(f->got * 100 / f->size) : 100;
        snprintf(out, cap, host_ui_file_str(HOST_UI_F_RECEIVING, j), f->name, pct, size);
        return;
    }
    if (f->state != 0 || f->note_status < 0)
        return;
    enum host_ui_fstr s;
    switch (f->note_status) {
    case SASAE_WIRE_FILE_OK:
        s = HOST_UI_F_SAVED;
        break;
    case SASAE_WIRE_FILE_DECLINED:
        if (f->timed_out) {
            snprintf(out, cap, host_ui_file_str(HOST_UI_F_TIMED_OUT, j), f->ask_s, f->note);
            return;
        }
        snprintf(out, cap, "%s", host_ui_file_str(HOST_UI_F_DECLINED, j));
        return;
    case SASAE_WIRE_FILE_BAD_NAME:
    case SASAE_WIRE_FILE_TOO_BIG:
    case SASAE_WIRE_FILE_BUSY:
        s = HOST_UI_F_REFUSED;
        break;
    case SASAE_WIRE_FILE_CHECKSUM:
        s = HOST_UI_F_CHECKSUM;
        break;
    case SASAE_WIRE_FILE_CANCELLED:
        s = HOST_UI_F_CANCELLED;
        break;
    default:
        s = HOST_UI_F_FAILED;
        break;
    }
    snprintf(out, cap, host_ui_file_str(s, j), f->note);
}
