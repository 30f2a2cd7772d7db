/* viewer/core/filesend.c: the offer, chunks paced by the host's acknowledgements, resume from
 * the host's offset, and the outcomes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sasae/filesend.h"

static char path[64];
static uint8_t *data;
static const size_t N = 300000;

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/sasae-fs-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    data = malloc(N);
    for (size_t i = 0; i < N; i++)
        data[i] = (uint8_t)(i * 13 + (i >> 8));
    cr_assert_eq(write(fd, data, N), (ssize_t)N);
    close(fd);
}

static void teardown(void)
{
    unlink(path);
    free(data);
}

static struct sasae_wire_msg reply(int type, uint32_t id, uint8_t status, uint64_t offset)
{
    struct sasae_wire_msg m = {.type = (uint8_t)type};
    m.u.file.id = id;
    m.u.file.status = status;
    m.u.file.offset = offset;
    m.u.file.text = "x.bin";
    m.u.file.text_len = 5;
    return m;
}

static int drain(struct sasae_filesend *fs, uint64_t *expect_off)
{
    struct sasae_wire_msg c;
    int n = 0;
    while (sasae_filesend_next(fs, &c)) {
        cr_assert_eq(c.type, SASAE_WIRE_FILE_CHUNK);
        cr_assert_eq(c.u.file.offset, *expect_off);
        cr_assert(c.u.file.data_len <= SASAE_FILESEND_CHUNK);
        cr_assert_eq(memcmp(c.u.file.data, data + c.u.file.offset, c.u.file.data_len), 0);
        *expect_off += c.u.file.data_len;
        n++;
    }
    return n;
}

Test(filesend, offer_window_and_done, .init = setup, .fini = teardown)
{
    static struct sasae_filesend fs;
    struct sasae_wire_msg o;
    char err[128];
    cr_assert_eq(sasae_filesend_start(&fs, path, "report.pdf", 9, &o, err, sizeof err), 0);
    cr_assert_eq(o.type, SASAE_WIRE_FILE_OFFER);
    cr_assert_eq(o.u.file.size, N);
    cr_assert_eq(o.u.file.text_len, 10);
    uint8_t want[32];
    unsigned l;
    EVP_Digest(data, N, want, &l, EVP_sha256(), NULL);
    cr_assert_arr_eq(o.u.file.sha256, want, 32);
    uint64_t off = 0;
    cr_assert_eq(drain(&fs, &off), 0, "nothing before the customer accepts");
    struct sasae_wire_msg m = reply(SASAE_WIRE_FILE_ANSWER, 8, 0, 0);
    cr_assert(!sasae_filesend_on_msg(&fs, &m), "another transfer's answer");
    m = reply(SASAE_WIRE_FILE_ANSWER, 9, SASAE_WIRE_FILE_OK, 0);
    cr_assert(sasae_filesend_on_msg(&fs, &m));
    cr_assert_eq(drain(&fs, &off), SASAE_FILESEND_WINDOW / SASAE_FILESEND_CHUNK);
    cr_assert_eq(off, SASAE_FILESEND_WINDOW); /* then it waits for the host */
    m = reply(SASAE_WIRE_FILE_ACK, 9, 0, 65536);
    sasae_filesend_on_msg(&fs, &m);
    cr_assert_eq(drain(&fs, &off), 4);
    while (off < N) {
        m = reply(SASAE_WIRE_FILE_ACK, 9, 0, off);
        sasae_filesend_on_msg(&fs, &m);
        drain(&fs, &off);
    }
    cr_assert_eq(off, N);
    m = reply(SASAE_WIRE_FILE_END, 9, SASAE_WIRE_FILE_OK, N);
    cr_assert(sasae_filesend_on_msg(&fs, &m));
    cr_assert_eq(fs.state, SASAE_FILESEND_DONE);
    cr_assert_str_eq(fs.text, "x.bin");
    sasae_filesend_close(&fs);
}

Test(filesend, resume_starts_at_the_hosts_offset, .init = setup, .fini = teardown)
{
    static struct sasae_filesend fs;
    struct sasae_wire_msg o, m;
    char err[128];
    cr_assert_eq(sasae_filesend_start(&fs, path, NULL, 1, &o, err, sizeof err), 0);
    cr_assert_str_eq(fs.name, sasae_filesend_basename(path));
    m = reply(SASAE_WIRE_FILE_ANSWER, 1, SASAE_WIRE_FILE_OK, 200000);
    sasae_filesend_on_msg(&fs, &m);
    uint64_t off = 200000;
    drain(&fs, &off);
    cr_assert_eq(off, N);
    sasae_filesend_close(&fs);
}

Test(filesend, declined_cancelled_and_stall, .init = setup, .fini = teardown)
{
    static struct sasae_filesend fs;
    struct sasae_wire_msg o, m;
    char err[128];
    cr_assert_eq(sasae_filesend_start(&fs, path, "a", 1, &o, err, sizeof err), 0);
    m = reply(SASAE_WIRE_FILE_ANSWER, 1, SASAE_WIRE_FILE_DECLINED, 0);
    sasae_filesend_on_msg(&fs, &m);
    cr_assert_eq(fs.state, SASAE_FILESEND_FAILED);
    cr_assert_eq(fs.status, SASAE_WIRE_FILE_DECLINED);
    uint64_t off = 0;
    cr_assert_eq(drain(&fs, &off), 0);

    cr_assert_eq(sasae_filesend_start(&fs, path, "a", 2, &o, err, sizeof err), 0);
    fs.stop_at = 20000;
    m = reply(SASAE_WIRE_FILE_ANSWER, 2, SASAE_WIRE_FILE_OK, 0);
    sasae_filesend_on_msg(&fs, &m);
    drain(&fs, &off);
    cr_assert_eq(off, 20000);
    cr_assert(sasae_filesend_cancel(&fs, &m));
    cr_assert_eq(m.type, SASAE_WIRE_FILE_ABORT);
    cr_assert_eq(m.u.file.id, 2);
    cr_assert_eq(m.u.file.status, SASAE_WIRE_FILE_CANCELLED);
    cr_assert(!sasae_filesend_cancel(&fs, &m));

    cr_assert_neq(sasae_filesend_start(&fs, "/nonexistent/x", NULL, 3, &o, err, sizeof err), 0);
    cr_assert(strstr(err, "/nonexistent/x"));
}

Test(filesend, basename)
{
    cr_assert_str_eq(sasae_filesend_basename("/a/b/c.txt"), "c.txt");
    cr_assert_str_eq(sasae_filesend_basename("C:\\Users\\x\\d.pdf"), "d.pdf");
    cr_assert_str_eq(sasae_filesend_basename("e"), "e");
}
