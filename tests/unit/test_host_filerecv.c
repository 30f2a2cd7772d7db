/* host/filerecv.c: name checks, the offer/answer/chunk state machine, resume from a partial
 * file, checksum mismatch, unique names; on real files in a temporary folder. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "filerecv.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sasae-fr-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int count_files(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
    if (d)
        closedir(d);
    return n;
}

static void sha(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned l = 0;
    EVP_Digest(p, n, out, &l, EVP_sha256(), NULL);
}

static bool refused(const char *name)
{
    return host_file_name_check(name, strlen(name)) != NULL;
}

Test(filename, refuses_unsafe_names)
{
    const char *bad[] = {
        "",         ".",   "..",      "../x", "a/b",        "a\\b",      "/etc/passwd", "C:\\x",
        "c:x",      "CON", "con.txt", "Nul",  "aux.tar.gz", "COM1",      "lpt9.log",    "PRN ",
        "CON .txt", "x.",  "x ",      "a\nb", "a\x7f",      "tab\there", "a|b",         "a*b",
        "a?b",      "a<b", "a>b",     "a\"b", "\xff\xfe",   "\xc0\xaf",  "\xed\xa0\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect(refused(bad[i]), "accepted %s", bad[i]);
    char longname[HOST_FILE_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    cr_expect(refused(longname));
    longname[HOST_FILE_NAME_MAX] = 0;
    cr_expect(!refused(longname));
}

Test(filename, accepts_ordinary_names)
{
    const char *good[] = {"report.pdf", "a..b.txt", ".bashrc",       "CONSOLE.txt", "COM10",
                          "LPT0",       "com.txt.", "設定手順.docx", "x (1).zip",   "résumé.odt"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (strcmp(good[i], "com.txt.") == 0)
            continue; /* ends with a dot: refused */
        cr_expect(!refused(good[i]), "refused %s: %s", good[i],
                  host_file_name_check(good[i], strlen(good[i])));
    }
}

static struct sasae_wire_file offer_of(uint32_t id, const char *name, const uint8_t *data, size_t n)
{
    struct sasae_wire_file o = {.id = id, .size = n, .text = name, .text_len = strlen(name)};
    sha(data, n, o.sha256);
    return o;
}

/* Sends data[from..n) in chunks of step; returns the type of the last reply. */
static int send_all(struct host_filerecv *fr, uint32_t id, const uint8_t *data, size_t from,
                    size_t n, size_t step, struct sasae_wire_file *r)
{
    int t = 0;
    for (size_t off = from; off < n; off += step) {
        struct sasae_wire_file c = {.id = id, .offset = off, .data = data + off};
        c.data_len = n - off < step ? n - off : step;
        t = host_filerecv_chunk(fr, &c, r);
        if (t == SASAE_WIRE_FILE_END || t == SASAE_WIRE_FILE_ABORT)
            break;
    }
    return t;
}

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + (i >> 9));
    return p;
}

static bool file_is(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t *b = malloc(n + 1);
    size_t got = fread(b, 1, n + 1, f);
    fclose(f);
    bool ok = got == n && memcmp(b, data, n) == 0;
    free(b);
    return ok;
}

Test(filerecv, accept_store_and_ack, .init = setup, .fini = teardown)
{
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    size_t n = 300000;
    uint8_t *data = pattern(n);
    struct sasae_wire_file o = offer_of(7, "tool.zip", data, n), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert_eq(fr.state, HOST_FR_ASKING);
    /* nothing is written while the customer is asked, and a chunk then is refused */
    struct sasae_wire_file c = {.id = 7, .offset = 0, .data = data, .data_len = 100};
    cr_assert_eq(host_filerecv_chunk(&fr, &c, &r), SASAE_WIRE_FILE_ABORT);
    cr_assert_eq(count_files(), 0);
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    cr_assert_eq(r.status, SASAE_WIRE_FILE_OK);
    cr_assert_eq(r.offset, 0);
    int acks = 0, t = 0;
    for (size_t off = 0; off < n; off += 16384) {
        c = (struct sasae_wire_file){.id = 7, .offset = off, .data = data + off};
        c.data_len = n - off < 16384 ? n - off : 16384;
        t = host_filerecv_chunk(&fr, &c, &r);
        if (t == SASAE_WIRE_FILE_ACK) {
            acks++;
            cr_assert_eq(r.offset, off + c.data_len);
        }
    }
    cr_assert_eq(t, SASAE_WIRE_FILE_END);
    cr_assert_eq(r.status, SASAE_WIRE_FILE_OK, "%.*s", (int)r.text_len, r.text);
    cr_assert_eq(acks, 4); /* every 64 KiB */
    cr_assert_str_eq(fr.saved + strlen(dir), "/tool.zip");
    cr_assert(file_is(fr.saved, data, n));
    cr_assert_eq(count_files(), 1); /* no partial left */
    cr_assert_eq(fr.state, HOST_FR_IDLE);

    /* the same name again: never overwritten, stored as "tool (1).zip" */
    o.id = 8;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    cr_assert_eq(send_all(&fr, 8, data, 0, n, 65536, &r), SASAE_WIRE_FILE_END);
    cr_assert_eq(r.status, SASAE_WIRE_FILE_OK);
    cr_assert_eq(r.text_len, strlen("tool (1).zip"));
    cr_assert_eq(memcmp(r.text, "tool (1).zip", r.text_len), 0);
    cr_assert_eq(count_files(), 2);
    free(data);
}

Test(filerecv, decline_writes_nothing, .init = setup, .fini = teardown)
{
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    uint8_t data[10] = "0123456789";
    struct sasae_wire_file o = offer_of(1, "a.txt", data, 10), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, false, dir, &r));
    cr_assert_eq(r.status, SASAE_WIRE_FILE_DECLINED);
    struct sasae_wire_file c = {.id = 1, .offset = 0, .data = data, .data_len = 10};
    cr_assert_eq(host_filerecv_chunk(&fr, &c, &r), SASAE_WIRE_FILE_ABORT);
    cr_assert_eq(count_files(), 0);
    cr_assert_eq(fr.state, HOST_FR_IDLE);
}

Test(filerecv, refusals_before_asking, .init = setup, .fini = teardown)
{
    struct host_filerecv fr;
    host_filerecv_init(&fr, 1000);
    uint8_t data[2000] = {0};
    struct sasae_wire_file o = offer_of(1, "../evil", data, 10), r;
    cr_assert(!host_filerecv_offer(&fr, &o, &r));
    cr_assert_eq(r.status, SASAE_WIRE_FILE_BAD_NAME);
    cr_assert(r.text_len > 0);
    o = offer_of(2, "big.bin", data, 2000);
    cr_assert(!host_filerecv_offer(&fr, &o, &r));
    cr_assert_eq(r.status, SASAE_WIRE_FILE_TOO_BIG);
    cr_assert_eq(r.size, 1000); /* the limit is stated */
    o = offer_of(3, "ok.bin", data, 10);
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    o.id = 4;
    cr_assert(!host_filerecv_offer(&fr, &o, &r)); /* one at a time */
    cr_assert_eq(r.status, SASAE_WIRE_FILE_BUSY);
    cr_assert_eq(count_files(), 0);
}

Test(filerecv, checksum_mismatch_keeps_nothing, .init = setup, .fini = teardown)
{
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    size_t n = 100000;
    uint8_t *data = pattern(n);
    struct sasae_wire_file o = offer_of(5, "doc.pdf", data, n), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    data[5000] ^= 1; /* damaged on the way */
    cr_assert_eq(send_all(&fr, 5, data, 0, n, 16384, &r), SASAE_WIRE_FILE_END);
    cr_assert_eq(r.status, SASAE_WIRE_FILE_CHECKSUM);
    cr_assert_eq(count_files(), 0);
    free(data);
}

Test(filerecv, resume_after_a_blip, .init = setup, .fini = teardown)
{
    size_t n = 200000;
    uint8_t *data = pattern(n);
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    struct sasae_wire_file o = offer_of(1, "big.iso", data, n), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    cr_assert_eq(send_all(&fr, 1, data, 0, 90000, 30000, &r), SASAE_WIRE_FILE_ACK);
    host_filerecv_abort(&fr, true); /* the link dropped: the partial stays */
    char part[1400];
    host_file_part_path(dir, "big.iso", o.sha256, part, sizeof part);
    struct stat st;
    cr_assert_eq(stat(part, &st), 0);
    cr_assert_eq(st.st_size, 90000);

    /* a new session offers the same file: it resumes where the partial file ends */
    struct host_filerecv fr2;
    host_filerecv_init(&fr2, 0);
    o.id = 2;
    cr_assert(host_filerecv_offer(&fr2, &o, &r));
    cr_assert(host_filerecv_answer(&fr2, true, dir, &r));
    cr_assert_eq(r.status, SASAE_WIRE_FILE_OK);
    cr_assert_eq(r.offset, 90000);
    cr_assert_eq(send_all(&fr2, 2, data, 90000, n, 16384, &r), SASAE_WIRE_FILE_END);
    cr_assert_eq(r.status, SASAE_WIRE_FILE_OK, "%.*s", (int)r.text_len, r.text);
    cr_assert(file_is(fr2.saved, data, n));
    cr_assert_eq(count_files(), 1);
    free(data);
}

Test(filerecv, other_content_does_not_resume, .init = setup, .fini = teardown)
{
    size_t n = 50000;
    uint8_t *a = pattern(n), *b = pattern(n);
    b[0] ^= 0xff;
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    struct sasae_wire_file o = offer_of(1, "x.bin", a, n), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    send_all(&fr, 1, a, 0, 20000, 20000, &r);
    host_filerecv_abort(&fr, true);
    /* same name and size, other content: another partial file, from 0 */
    o = offer_of(2, "x.bin", b, n);
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    cr_assert_eq(r.offset, 0);
    host_filerecv_abort(&fr, false);
    free(a);
    free(b);
}

Test(filerecv, end_removes_partial_and_bad_order_aborts, .init = setup, .fini = teardown)
{
    size_t n = 100000;
    uint8_t *data = pattern(n);
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    struct sasae_wire_file o = offer_of(1, "y.bin", data, n), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    send_all(&fr, 1, data, 0, 40000, 20000, &r);
    cr_assert_eq(count_files(), 1);
    host_filerecv_abort(&fr, false); /* End */
    cr_assert_eq(count_files(), 0);

    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    struct sasae_wire_file c = {.id = 1, .offset = 500, .data = data, .data_len = 10};
    cr_assert_eq(host_filerecv_chunk(&fr, &c, &r), SASAE_WIRE_FILE_ABORT);
    cr_assert_eq(r.status, SASAE_WIRE_FILE_PROTOCOL);
    cr_assert_eq(count_files(), 0);
    cr_assert_eq(fr.state, HOST_FR_IDLE);
    free(data);
}

Test(filerecv, empty_file_finishes_at_once, .init = setup, .fini = teardown)
{
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    struct sasae_wire_file o = offer_of(1, "empty.txt", (const uint8_t *)"", 0), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    cr_assert(host_filerecv_answer(&fr, true, dir, &r));
    cr_assert_eq(host_filerecv_finish_if_done(&fr, &r), SASAE_WIRE_FILE_END);
    cr_assert_eq(r.status, SASAE_WIRE_FILE_OK);
    cr_assert_eq(count_files(), 1);
}

Test(filerecv, missing_folder_is_an_io_error, .init = setup, .fini = teardown)
{
    struct host_filerecv fr;
    host_filerecv_init(&fr, 0);
    struct sasae_wire_file o = offer_of(1, "z.txt", (const uint8_t *)"abc", 3), r;
    cr_assert(host_filerecv_offer(&fr, &o, &r));
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope", dir);
    cr_assert(host_filerecv_answer(&fr, true, missing, &r));
    cr_assert_eq(r.status, SASAE_WIRE_FILE_IO);
    cr_assert_eq(fr.state, HOST_FR_IDLE);
}
