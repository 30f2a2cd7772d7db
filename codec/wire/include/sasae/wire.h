/* sasae wire: application messages carried inside sealed records (layer 4), and the video
 * chunk reassembler. Pure serialize/parse over caller buffers; see docs/protocol.md. */
#ifndef SASAE_WIRE_H
#define SASAE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define SASAE_WIRE_VERSION 1
/* Largest serialized message: equal to the secure channel's record plaintext limit. */
#define SASAE_WIRE_MAX_MSG (256 * 1024)
/* Fixed bytes before the payload of a VIDEO message; payload per chunk is at most
 * SASAE_WIRE_MAX_MSG - SASAE_WIRE_VIDEO_HDR. */
#define SASAE_WIRE_VIDEO_HDR 27
#define SASAE_WIRE_VIDEO_CHUNK_MAX (SASAE_WIRE_MAX_MSG - SASAE_WIRE_VIDEO_HDR)
#define SASAE_WIRE_VIDEO_MAX_FRAME (16u * 1024 * 1024)
#define SASAE_WIRE_CURSOR_MAX 256
#define SASAE_WIRE_PEN_MAX_POINTS 4096
#define SASAE_WIRE_TEXT_MAX 1024           /* END text, HELLO software string */
#define SASAE_WIRE_SYSINFO_MAX (64 * 1024) /* uncompressed system info text */
#define SASAE_WIRE_CHAT_MAX 1024           /* CHAT text, UTF-8 bytes */
#define SASAE_WIRE_CLIP_MAX (64 * 1024)    /* CLIPBOARD text, UTF-8 bytes */

enum sasae_wire_err {
    SASAE_WIRE_OK = 0,
    SASAE_WIRE_ETRUNCATED,    /* body shorter than its fields say */
    SASAE_WIRE_ETRAILING,     /* bytes left after the last field */
    SASAE_WIRE_EUNKNOWN,      /* unknown message type */
    SASAE_WIRE_EVALUE,        /* a field has a value outside its range or enum */
    SASAE_WIRE_ETOOBIG,       /* a length exceeds its bound */
    SASAE_WIRE_ENOSPACE,      /* output buffer too small */
    SASAE_WIRE_ECOMPRESS,     /* zlib failed or inflated data is corrupt/oversize */
    SASAE_WIRE_EVERSION,      /* HELLO with an unsupported version range */
    SASAE_WIRE_EGAP,          /* reassembler: chunk missing (offset beyond expected, or new
                                 frame while one is incomplete) */
    SASAE_WIRE_EOVERLAP,      /* reassembler: chunk repeats bytes already received */
    SASAE_WIRE_EINCONSISTENT, /* reassembler: chunk header disagrees with its frame */
    SASAE_WIRE_ENOMEM,
};

/* Static English description of an error; never NULL. */
const char *sasae_wire_strerror(enum sasae_wire_err err);

enum sasae_wire_type {
    SASAE_WIRE_HELLO = 0x01,             /* both ways, first message after the handshake */
    SASAE_WIRE_END = 0x02,               /* both ways */
    SASAE_WIRE_VIDEO = 0x10,             /* host -> viewer, one chunk of an encoded frame */
    SASAE_WIRE_FRAME_ACK = 0x11,         /* viewer -> host */
    SASAE_WIRE_KEYFRAME_REQ = 0x12,      /* viewer -> host */
    SASAE_WIRE_STATS = 0x13,             /* viewer -> host */
    SASAE_WIRE_CURSOR_SHAPE = 0x20,      /* host -> viewer */
    SASAE_WIRE_CURSOR_POS = 0x21,        /* host -> viewer */
    SASAE_WIRE_POINTER = 0x30,           /* viewer -> host, the pointing marker */
    SASAE_WIRE_PEN_STROKE = 0x31,        /* viewer -> host */
    SASAE_WIRE_PEN_CLEAR = 0x32,         /* viewer -> host */
    SASAE_WIRE_PEN_UNDO = 0x33,          /* viewer -> host, hosts with CAP_PEN_UNDO only */
    SASAE_WIRE_CONTROL_REQUEST = 0x40,   /* viewer -> host */
    SASAE_WIRE_CONTROL_STATE = 0x41,     /* host -> viewer */
    SASAE_WIRE_CONSENT_STATE = 0x42,     /* host -> viewer */
    SASAE_WIRE_MOUSE = 0x50,             /* viewer -> host, dropped by host without control */
    SASAE_WIRE_KEY = 0x51,               /* viewer -> host, dropped by host without control */
    SASAE_WIRE_SYSINFO = 0x60,           /* host -> viewer, after consent */
    SASAE_WIRE_MONITOR_LIST = 0x90,      /* host -> viewer, hosts with CAP_MONITORS */
    SASAE_WIRE_MONITOR_SELECT = 0x91,    /* viewer -> host, hosts with CAP_MONITORS */
    SASAE_WIRE_CHAT = 0x70,              /* both ways, after consent */
    SASAE_WIRE_CLIPBOARD = 0x71,         /* both ways, only while control is granted */
    SASAE_WIRE_CLIPBOARD_REQUEST = 0x72, /* viewer -> host, only while control is granted */
    /* file send, operator -> customer (hosts with CAP_FILE); all use struct sasae_wire_file */
    SASAE_WIRE_FILE_OFFER = 0x80,  /* viewer -> host: name, size, sha256 */
    SASAE_WIRE_FILE_ANSWER = 0x81, /* host -> viewer: status, offset to start at, size limit */
    SASAE_WIRE_FILE_CHUNK = 0x82,  /* viewer -> host: data at offset */
    SASAE_WIRE_FILE_END = 0x83,    /* host -> viewer: stored (status OK) or why not */
    SASAE_WIRE_FILE_ABORT = 0x84,  /* both ways: the transfer stops; status says why */
    SASAE_WIRE_FILE_ACK = 0x85,    /* host -> viewer: bytes stored so far (offset) */
};

/* Static name such as "VIDEO" for logs; "UNKNOWN" for other values. */
const char *sasae_wire_type_name(int type);

enum sasae_wire_role { SASAE_WIRE_ROLE_HOST = 1, SASAE_WIRE_ROLE_VIEWER = 2 };

struct sasae_wire_hello {
    uint16_t min_version, max_version; /* range the sender speaks */
    uint8_t role;                      /* enum sasae_wire_role */
    uint32_t caps;                     /* SASAE_WIRE_CAP_* bits; unknown bits ignored */
    const char *software;              /* not NUL-terminated; software_len <= TEXT_MAX */
    size_t software_len;
};
#define SASAE_WIRE_CAP_VP9 0x1u
#define SASAE_WIRE_CAP_VP8 0x2u
#define SASAE_WIRE_CAP_PEN 0x4u
#define SASAE_WIRE_CAP_CONTROL 0x8u
#define SASAE_WIRE_CAP_PEN_UNDO 0x10u  /* host: understands PEN_UNDO */
#define SASAE_WIRE_CAP_MONITORS 0x100u /* host: sends MONITOR_LIST, obeys MONITOR_SELECT */
#define SASAE_WIRE_CAP_CHAT 0x20u      /* understands CHAT */
#define SASAE_WIRE_CAP_CLIPBOARD 0x40u /* host: understands CLIPBOARD and CLIPBOARD_REQUEST */
#define SASAE_WIRE_CAP_FILE 0x80u      /* host: receives files (FILE_*) */
/* viewer: decodes video payloads that carry moves (scrolling as a shift of the reference) */
#define SASAE_WIRE_CAP_VIDEO_MOVE 0x1000u
/* viewer: decodes video payloads that carry patches (exact macroblocks as deflated pixels) */
#define SASAE_WIRE_CAP_VIDEO_PATCH 0x2000u

enum sasae_wire_end_reason {
    SASAE_WIRE_END_CUSTOMER = 1, /* customer clicked End remote support */
    SASAE_WIRE_END_OPERATOR = 2,
    SASAE_WIRE_END_DENIED = 3,   /* customer denied consent */
    SASAE_WIRE_END_TIMEOUT = 4,  /* consent prompt timed out, or peer silent */
    SASAE_WIRE_END_ERROR = 5,    /* protocol or local error */
    SASAE_WIRE_END_RELAY = 6,    /* relay connection lost */
    SASAE_WIRE_END_SHUTDOWN = 7, /* program exiting */
};
struct sasae_wire_end {
    uint8_t reason; /* enum sasae_wire_end_reason */
    const char *text;
    size_t text_len; /* <= TEXT_MAX, may be 0 */
};

enum sasae_wire_codec { SASAE_WIRE_CODEC_VP9 = 1, SASAE_WIRE_CODEC_VP8 = 2 };
#define SASAE_WIRE_VIDEO_KEYFRAME 0x01u
#define SASAE_WIRE_VIDEO_TOPOFF 0x02u    /* quality refinement of an unchanged screen */
#define SASAE_WIRE_VIDEO_KEEPALIVE 0x04u /* nothing changed; sent every 2 s */

/* One chunk of one encoded frame: frame_size total bytes, this chunk at chunk_offset. */
struct sasae_wire_video {
    uint32_t frame_id;
    uint64_t capture_us; /* wall clock, microseconds since the epoch */
    uint8_t flags;       /* SASAE_WIRE_VIDEO_* */
    uint8_t codec;       /* enum sasae_wire_codec */
    uint16_t width, height;
    uint32_t frame_size;   /* 1..VIDEO_MAX_FRAME */
    uint32_t chunk_offset; /* chunk_offset + data_len <= frame_size */
    const uint8_t *data;
    size_t data_len; /* 1..VIDEO_CHUNK_MAX */
};

struct sasae_wire_frame_ack {
    uint32_t frame_id;
    uint64_t recv_us; /* viewer wall clock when the frame was complete */
};
struct sasae_wire_stats {
    uint32_t rtt_us, decode_us, bandwidth_kbps;
    uint16_t fps_x100; /* frames per second * 100 */
};

/* Cursor shape. Pixels travel zlib-compressed (a raw 256x256 BGRA cursor alone would fill
 * a record). When serializing, set bgra (width*height*4 bytes BGRA, straight alpha); the
 * serializer compresses and fails with ENOSPACE if the result does not fit. When parsing,
 * zdata/zdata_len point at the compressed bytes: call sasae_wire_cursor_pixels(). */
struct sasae_wire_cursor_shape {
    uint32_t serial;        /* changes when the shape changes */
    uint16_t width, height; /* 1..CURSOR_MAX */
    uint16_t hot_x, hot_y;  /* < width, < height */
    const uint8_t *bgra;
    const uint8_t *zdata;
    size_t zdata_len;
};
/* Cursor position (host->viewer) or pointing marker (viewer->host), screen pixels. */
struct sasae_wire_point {
    int32_t x, y;
    uint8_t visible; /* 0 or 1 */
};

struct sasae_wire_pen_stroke {
    uint32_t stroke_id;    /* same id = continuation of the stroke */
    uint8_t final;         /* 1 on the last piece of a stroke */
    uint32_t rgba;         /* 0xRRGGBBAA */
    uint16_t width;        /* 1..64 pixels */
    uint16_t npoints;      /* 1..PEN_MAX_POINTS */
    const uint8_t *points; /* npoints * 8 bytes (x i32 BE, y i32 BE); use _pen_point() */
};

/* Removes one stroke (the operator's undo). */
struct sasae_wire_pen_undo {
    uint32_t stroke_id; /* a PEN_STROKE's id; an id the host does not have is ignored */
};

enum sasae_wire_consent {
    SASAE_WIRE_CONSENT_NONE = 0,    /* not requested / released */
    SASAE_WIRE_CONSENT_WAITING = 1, /* prompt showing */
    SASAE_WIRE_CONSENT_ALLOWED = 2,
    SASAE_WIRE_CONSENT_DENIED = 3,
    SASAE_WIRE_CONSENT_TIMEOUT = 4,
    SASAE_WIRE_CONSENT_REVOKED = 5,
};
struct sasae_wire_control_request {
    uint8_t want; /* 1 request control, 0 give it back */
};
struct sasae_wire_state {
    uint8_t state; /* enum sasae_wire_consent */
};

enum sasae_wire_mouse_kind {
    SASAE_WIRE_MOUSE_MOVE = 1,
    SASAE_WIRE_MOUSE_BUTTON = 2,
    SASAE_WIRE_MOUSE_WHEEL = 3,
};
struct sasae_wire_mouse {
    uint8_t kind;               /* enum sasae_wire_mouse_kind */
    int32_t x, y;               /* screen pixels (all kinds) */
    uint8_t button;             /* BUTTON: 1 left, 2 middle, 3 right, 8 back, 9 forward; else 0 */
    uint8_t down;               /* BUTTON: 1 press, 0 release */
    int16_t wheel_dx, wheel_dy; /* WHEEL: notches, +dy = up */
};
struct sasae_wire_key {
    uint32_t keysym; /* X11 keysym */
    uint8_t down;
};

/* System info: text travels zlib-compressed. When serializing, set text/text_len (the
 * serializer compresses). When parsing, zdata/zdata_len point at the compressed bytes and
 * text_len is the announced size; call sasae_wire_sysinfo_text() to inflate. */
struct sasae_wire_sysinfo {
    const char *text;
    size_t text_len; /* <= SYSINFO_MAX */
    const uint8_t *zdata;
    size_t zdata_len;
};

/* The customer's monitors and which one is shared (MONITOR_LIST), and the operator's choice
 * (MONITOR_SELECT). Index SASAE_WIRE_MONITOR_ALL is the whole desktop as one picture. */
#define SASAE_WIRE_MONITORS_MAX 16
#define SASAE_WIRE_MONITOR_ALL 0xffu
#define SASAE_WIRE_MONITOR_NAME_MAX 32
#define SASAE_WIRE_MONITOR_PRIMARY 0x01u
struct sasae_wire_monitor {
    int32_t x, y;           /* top-left on the customer's desktop */
    uint16_t width, height; /* >= 1 */
    uint8_t flags;          /* SASAE_WIRE_MONITOR_PRIMARY; other bits 0 */
    const char *name;       /* UTF-8, not NUL-terminated; borrowed */
    size_t name_len;        /* <= MONITOR_NAME_MAX */
};
#define SASAE_WIRE_MONITORS_ALL_OK 0x01u /* list flag: MONITOR_ALL may be selected */
struct sasae_wire_monitor_list {
    uint8_t count;    /* 1..MONITORS_MAX */
    uint8_t selected; /* < count, or MONITOR_ALL (only with MONITORS_ALL_OK) */
    uint8_t flags;    /* SASAE_WIRE_MONITORS_ALL_OK; other bits 0 */
    struct sasae_wire_monitor mon[SASAE_WIRE_MONITORS_MAX];
};
struct sasae_wire_monitor_select {
    uint8_t index; /* < MONITORS_MAX, or MONITOR_ALL; the host checks it against its list */
};

/* CHAT (1..CHAT_MAX bytes) or CLIPBOARD (0..CLIP_MAX bytes): UTF-8 text, validated both
 * ways (well-formed, no NUL); not NUL-terminated when parsed. */
struct sasae_wire_text {
    const char *text;
    size_t len;
};

#define SASAE_WIRE_FILE_CHUNK_MAX (64 * 1024)
#define SASAE_WIRE_FILE_TEXT_MAX 1024
enum sasae_wire_file_status {
    SASAE_WIRE_FILE_OK = 0,        /* ANSWER: accepted; END: stored */
    SASAE_WIRE_FILE_DECLINED = 1,  /* the customer declined (or did not answer) */
    SASAE_WIRE_FILE_BAD_NAME = 2,  /* the name is refused (text says why) */
    SASAE_WIRE_FILE_TOO_BIG = 3,   /* over the host's limit (ANSWER size = the limit) */
    SASAE_WIRE_FILE_BUSY = 4,      /* another file is being offered or received */
    SASAE_WIRE_FILE_CHECKSUM = 5,  /* END: the SHA-256 did not match; nothing was kept */
    SASAE_WIRE_FILE_IO = 6,        /* the host could not write (text says why) */
    SASAE_WIRE_FILE_CANCELLED = 7, /* ABORT: the sender stopped it */
    SASAE_WIRE_FILE_PROTOCOL = 8,  /* a chunk out of order, past the size, or unknown id */
};
#define SASAE_WIRE_FILE_STATUS_MAX SASAE_WIRE_FILE_PROTOCOL
/* Every FILE_* message has this one layout (docs/protocol.md); fields a type does not use
 * are zero on the wire. */
struct sasae_wire_file {
    uint32_t id;         /* the sender's transfer id */
    uint8_t status;      /* enum sasae_wire_file_status */
    uint64_t size;       /* OFFER: file size; ANSWER: the host's size limit */
    uint64_t offset;     /* ANSWER: where to start (resume); CHUNK: of data; ACK: bytes stored */
    uint8_t sha256[32];  /* OFFER: of the whole file */
    const char *text;    /* OFFER: file name (UTF-8); else reason / saved name */
    size_t text_len;     /* <= FILE_TEXT_MAX */
    const uint8_t *data; /* CHUNK only */
    size_t data_len;     /* CHUNK: 1..FILE_CHUNK_MAX; others 0 */
};

struct sasae_wire_msg {
    uint8_t type; /* enum sasae_wire_type */
    union {
        struct sasae_wire_hello hello;
        struct sasae_wire_end end;
        struct sasae_wire_video video;
        struct sasae_wire_frame_ack ack;
        struct sasae_wire_stats stats;
        struct sasae_wire_cursor_shape cursor;
        struct sasae_wire_point cursor_pos; /* CURSOR_POS */
        struct sasae_wire_point pointer;    /* POINTER */
        struct sasae_wire_pen_stroke pen;
        struct sasae_wire_pen_undo pen_undo;
        struct sasae_wire_control_request control_req;
        struct sasae_wire_state control_state; /* CONTROL_STATE */
        struct sasae_wire_state consent;       /* CONSENT_STATE */
        struct sasae_wire_mouse mouse;
        struct sasae_wire_key key;
        struct sasae_wire_sysinfo sysinfo;
        struct sasae_wire_monitor_list monitors; /* MONITOR_LIST */
        struct sasae_wire_monitor_select monitor_select;
        struct sasae_wire_text chat;      /* CHAT */
        struct sasae_wire_text clipboard; /* CLIPBOARD */
        struct sasae_wire_file file;      /* FILE_* */
    } u; /* KEYFRAME_REQ, PEN_CLEAR and CLIPBOARD_REQUEST have no body */
};

/* Serializes m into out[0..cap). On success *out_len is the size (<= WIRE_MAX_MSG).
 * Validates every field as the parser would; nothing is written past cap. */
enum sasae_wire_err sasae_wire_serialize(const struct sasae_wire_msg *m, uint8_t *out, size_t cap,
                                         size_t *out_len);

/* Parses one whole message (one record's plaintext). Pointers in *m borrow from buf and
 * stay valid while buf does. Any error leaves *m unspecified. */
enum sasae_wire_err sasae_wire_parse(const uint8_t *buf, size_t len, struct sasae_wire_msg *m);

/* The version to speak after receiving the peer's HELLO: the highest version in both the
 * peer's range and ours (1..SASAE_WIRE_VERSION). EVERSION if the ranges do not meet. */
enum sasae_wire_err sasae_wire_hello_version(const struct sasae_wire_hello *peer,
                                             uint16_t *version);

/* Whether s[0..len) is well-formed UTF-8 without NUL (no overlongs, surrogates or code
 * points above U+10FFFF): what CHAT and CLIPBOARD carry. */
int sasae_wire_utf8_valid(const char *s, size_t len);

/* Point i (< npoints) of a parsed or serialized pen stroke. */
void sasae_wire_pen_point(const struct sasae_wire_pen_stroke *p, uint16_t i, int32_t *x,
                          int32_t *y);

/* Inflates a parsed SYSINFO into out (cap bytes); *out_len = text_len on success. Fails with
 * ECOMPRESS if the data is corrupt or does not inflate to exactly text_len bytes, ENOSPACE
 * if cap < text_len. */
enum sasae_wire_err sasae_wire_sysinfo_text(const struct sasae_wire_sysinfo *s, char *out,
                                            size_t cap, size_t *out_len);

/* Inflates a parsed CURSOR_SHAPE's pixels into out (cap >= width*height*4). ECOMPRESS if
 * corrupt or not exactly width*height*4 bytes. */
enum sasae_wire_err sasae_wire_cursor_pixels(const struct sasae_wire_cursor_shape *c, uint8_t *out,
                                             size_t cap);

/* Splitting helper: fills m as the VIDEO chunk of the frame (hdr fields copied, data/size
 * from payload) that starts at *offset, advances *offset. Returns 1 while a chunk was
 * produced, 0 when *offset == payload_len. chunk_max 0 means VIDEO_CHUNK_MAX. */
int sasae_wire_video_next_chunk(const struct sasae_wire_video *hdr, const uint8_t *payload,
                                size_t payload_len, size_t chunk_max, size_t *offset,
                                struct sasae_wire_msg *m);

/* Reassembler for chunked VIDEO messages. Chunks of one frame arrive in order (records are
 * strictly ordered); anything else is an error and resets the reassembler. */
struct sasae_wire_reasm;

/* max_frame: largest frame accepted (0 = VIDEO_MAX_FRAME, capped at it). NULL on OOM. */
struct sasae_wire_reasm *sasae_wire_reasm_new(size_t max_frame);
void sasae_wire_reasm_free(struct sasae_wire_reasm *r);

/* Adds one parsed chunk. When it completes the frame, *done = 1 and *frame describes the
 * whole frame (data points into the reassembler, valid until the next push/free;
 * chunk_offset 0, data_len == frame_size). Otherwise *done = 0. Errors: EGAP, EOVERLAP,
 * EINCONSISTENT, ETOOBIG, ENOMEM; after an error the partial frame is dropped. */
enum sasae_wire_err sasae_wire_reasm_push(struct sasae_wire_reasm *r,
                                          const struct sasae_wire_video *chunk, int *done,
                                          struct sasae_wire_video *frame);

#endif
