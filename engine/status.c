/* status.c - messages for rr_status codes. */
#include "status.h"

const char *rr_strerror(rr_status st)
{
    switch (st) {
#define RR_STATUS_CASE(name, code, msg) \
    case RR_##name:                     \
        return msg;
        RR_STATUS_MAP(RR_STATUS_CASE)
#undef RR_STATUS_CASE
    }
    return "unknown error";
}
