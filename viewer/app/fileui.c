/* The viewer's line about the file being sent (status bar), English and Japanese. */
#include <stdio.h>

#include "app.h"

void vfile_line(const struct sasae_filesend *fs, bool j, char *out, size_t cap)
{
    int pct = fs->size ? (int)(fs->acked * 100 / fs->size) : 100;
    switch (fs->state) {
    case SASAE_FILESEND_OFFERED:
        snprintf(out, cap,
                 j ? "ファイル %s：お客様の応答を待っています…"
                   : "File %s: waiting for the customer to accept…",
                 fs->name);
        break;
    case SASAE_FILESEND_SENDING:
        snprintf(out, cap, j ? "ファイル %s を送信中：%d %%" : "Sending %s: %d %%", fs->name, pct);
        break;
    case SASAE_FILESEND_DONE:
        snprintf(out, cap,
                 j ? "%s はお客様の PC に「%s」として保存されました"
                   : "%s was saved on the customer's PC as \"%s\"",
                 fs->name, fs->text);
        break;
    case SASAE_FILESEND_FAILED: {
        /* a question nobody answered is declined by the host with "no answer within N s" */
        int secs = 0;
        char why[96];
        if (fs->status == SASAE_WIRE_FILE_DECLINED &&
            sscanf(fs->text, "no answer within %d s", &secs) == 1 && secs > 0)
            snprintf(why, sizeof why,
                     j ? "お客様が %d 秒以内に応答しませんでした"
                       : "the customer did not answer within %d s",
                     secs);
        else if (fs->status == SASAE_WIRE_FILE_DECLINED)
            snprintf(why, sizeof why, "%s",
                     j ? "お客様が受け取りを断りました" : "the customer declined it");
        snprintf(out, cap, j ? "%s は送信されませんでした：%s" : "%s was not sent: %s", fs->name,
                 fs->status == SASAE_WIRE_FILE_DECLINED ? why : fs->text);
        break;
    }
    default:
        if (cap)
            out[0] = 0;
    }
}
