/* tags.h: the tags of the messages between ranks (all on MPI_COMM_WORLD).
 * wire.h includes it; liveness.c, beneath wire.c, reads it alone. */
#ifndef PAINTERS_WIRE_TAGS_H
#define PAINTERS_WIRE_TAGS_H

enum {
    WIRE_TAG_HEADER = 10,
    WIRE_TAG_PAYLOAD = 11,
    WIRE_TAG_REPORT = 12,
    WIRE_TAG_SETUP = 13,
    WIRE_TAG_PROBE = 14,         /* rank 0 to a station after a timeout: what are you doing? */
    WIRE_TAG_PROBE_ANSWER = 15,  /* the station's answer: what it is waiting for */
    WIRE_TAG_DONE = 17,          /* a released station to rank 0, then rank 0's word to finalize */
    WIRE_TAG_GROUP_HEADER = 18,  /* a spread step's header, entry(s) to its ranks (canvas.h) */
    WIRE_TAG_GROUP_PAYLOAD = 19, /* its payload, entry(s) to the other participants */
    WIRE_TAG_GROUP_PART = 20,    /* a participant's sum of its layers, to entry(s+1) */
    WIRE_TAG_HEARTBEAT = 21      /* liveness.h: rank 0 to each station and back, while alive */
};

enum { WIRE_PROBE_ANSWER_BYTES = 160 }; /* a station's answer to rank 0's probe */

#endif
