/* GUI test driver for the host's customer UI: runs the real state machine and the real SDL
 * (or tty) UI, feeding the network events a session would produce (registered, operator
 * joined and verified, control request) from a script on stdin, and printing every state
 * change and answer on stdout, so a test can click with xdotool and check the outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/common.h"
#include "sasae/host.h"
#include "ui.h"

static void apply(struct sasae_hs *hs, enum sasae_hs_event ev, struct host_view *v)
{
    enum sasae_hs_state before = hs->state;
    enum sasae_hs_control cbefore = hs->control;
    struct sasae_hs_out o = sasae_hs_event(hs, ev, 0, sasae_mono_ns());
    if (!o.ignored && (o.actions || hs->state != before || hs->control != cbefore))
        printf("event %s -> %s actions %#x\n", sasae_hs_event_str(ev),
               sasae_hs_state_str(hs->state), o.actions);
    v->state = hs->state;
    v->control = hs->control;
    v->end_reason = hs->end_reason;
    fflush(stdout);
}

int main(int argc, char **argv)
{
    bool tty = argc > 1 && strcmp(argv[1], "tty") == 0;
    char err[256];
    struct host_ui *ui =
        tty ? host_ui_tty_new(0, 1, err, sizeof err) : host_ui_gui_new(err, sizeof err);
    if (!ui) {
        fprintf(stderr, "ui: %s\n", err);
        return 1;
    }
    struct sasae_hs hs;
    sasae_hs_init(&hs);
    struct host_view v = {0};
    snprintf(v.code, sizeof v.code, "123456789018");
    snprintf(v.fingerprint, sizeof v.fingerprint, "%s",
             "SHA256:0A1B 2C3D 4E5F 6071 8293 A4B5 C6D7 E8F9 0A1B 2C3D 4E5F 6071 8293 A4B5 C6D7 "
             "E8F9");
    snprintf(v.operator_name, sizeof v.operator_name, "%s",
             getenv("OPERATOR") ? getenv("OPERATOR") : "Hanako Sato");
    snprintf(v.organisation, sizeof v.organisation, "%s",
             getenv("ORG") ? getenv("ORG") : "Example Help Desk");
    /* Script from $SCRIPT: ',' separated steps "reg", "join", "ok", "ctl", "wait<ms>" */
    char script[256];
    snprintf(script, sizeof script, "%s", getenv("SCRIPT") ? getenv("SCRIPT") : "reg,join,ok");
    char *save = NULL;
    for (char *s = strtok_r(script, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (strcmp(s, "reg") == 0)
            apply(&hs, SASAE_HS_EV_REGISTERED, &v);
        else if (strcmp(s, "join") == 0)
            apply(&hs, SASAE_HS_EV_PEER_JOINED, &v);
        else if (strcmp(s, "ok") == 0)
            apply(&hs, SASAE_HS_EV_HANDSHAKE_OK, &v);
        else if (strncmp(s, "wait", 4) == 0) {
            uint64_t until = sasae_mono_ns() + (uint64_t)atoi(s + 4) * 1000000ull;
            while (sasae_mono_ns() < until)
                host_ui_step(ui, &v, 50);
        }
    }
    bool control_asked = false;
    for (;;) {
        uint64_t now = sasae_mono_ns();
        /* the operator stays alive and asks for control once sharing runs a moment */
        apply(&hs, SASAE_HS_EV_PEER_ACTIVITY, &v);
        apply(&hs, SASAE_HS_EV_TICK, &v);
        if (getenv("ASK_CONTROL") && hs.state == SASAE_HS_SHARING && !control_asked) {
            control_asked = true;
            apply(&hs, SASAE_HS_EV_CONTROL_REQUEST, &v);
        }
        v.seconds_left = sasae_hs_prompt_seconds_left(&hs, now);
        enum host_ui_answer a = host_ui_step(ui, &v, 100);
        if (a == HOST_UI_NONE)
            continue;
        printf("answer %s\n", host_ui_answer_str(a));
        fflush(stdout);
        if (a == HOST_UI_QUIT)
            break;
        apply(&hs, host_ui_answer_event(a), &v);
        if (hs.state == SASAE_HS_ENDED && getenv("EXIT_ON_END")) {
            for (int i = 0; i < 10; i++)
                host_ui_step(ui, &v, 100);
            break;
        }
    }
    printf("exit %s %s\n", sasae_hs_state_str(hs.state), sasae_hs_end_str(hs.end_reason));
    fflush(stdout);
    host_ui_free(ui);
    return 0;
}
