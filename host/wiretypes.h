/* The wire type and END reason numbers the pure state machine needs, so that it builds
 * without the codec; pipeline.c checks them against sasae/wire.h at compile time. */
#ifndef SASAE_HOST_WIRETYPES_H
#define SASAE_HOST_WIRETYPES_H

enum {
    HS_WIRE_HELLO = 0x01,
    HS_WIRE_END = 0x02,
    HS_WIRE_VIDEO = 0x10,
    HS_WIRE_FRAME_ACK = 0x11,
    HS_WIRE_KEYFRAME_REQ = 0x12,
    HS_WIRE_STATS = 0x13,
    HS_WIRE_CURSOR_SHAPE = 0x20,
    HS_WIRE_CURSOR_POS = 0x21,
    HS_WIRE_POINTER = 0x30,
    HS_WIRE_PEN_STROKE = 0x31,
    HS_WIRE_PEN_CLEAR = 0x32,
    HS_WIRE_PEN_UNDO = 0x33,
    HS_WIRE_CONTROL_REQUEST = 0x40,
    HS_WIRE_CONTROL_STATE = 0x41,
    HS_WIRE_CONSENT_STATE = 0x42,
    HS_WIRE_MOUSE = 0x50,
    HS_WIRE_KEY = 0x51,
    HS_WIRE_SYSINFO = 0x60,
    HS_WIRE_MONITOR_LIST = 0x90,
    HS_WIRE_MONITOR_SELECT = 0x91,
    HS_WIRE_CHAT = 0x70,
    HS_WIRE_CLIPBOARD = 0x71,
    HS_WIRE_CLIPBOARD_REQUEST = 0x72,
    HS_WIRE_FILE_OFFER = 0x80,
    HS_WIRE_FILE_ANSWER = 0x81,
    HS_WIRE_FILE_CHUNK = 0x82,
    HS_WIRE_FILE_END = 0x83,
    HS_WIRE_FILE_ABORT = 0x84,
    HS_WIRE_FILE_ACK = 0x85,
};

enum {
    HS_WIRE_END_CUSTOMER = 1,
    HS_WIRE_END_OPERATOR = 2,
    HS_WIRE_END_DENIED = 3,
    HS_WIRE_END_TIMEOUT = 4,
    HS_WIRE_END_ERROR = 5,
    HS_WIRE_END_RELAY = 6,
    HS_WIRE_END_SHUTDOWN = 7,
};

#endif
