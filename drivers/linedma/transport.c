/* transport.c - connection strings, and the two byte links: raw TCP
 * (POSIX sockets) and serial ports (libserialport). */
#include "transport.h"
#include "lineproto.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double rr_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void rr_sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- connection strings ----------------------------------------------- */

double rr_conn_answer_min_s(const rr_conn *c)
{
    double t = RR_LP_ANSWER_S + RR_LINK_MARGIN_S;
    if (c && c->kind == RR_CONN_SERIAL && c->baud > 0) {
        int bits = 1 + c->data_bits + (c->parity != RR_PARITY_NONE) + c->stop_bits;
        t += (RR_LP_MAX_LINE + 1) * bits / (double)c->baud;
    }
    return t;
}

static const char *const parity_words[] = {"none", "odd", "even", "mark", "space"};
static const char *const flow_words[] = {"none", "xonxoff", "rtscts", "dtrdsr"};

const char *rr_parity_word(rr_parity p) { return (unsigned)p < 5 ? parity_words[p] : "?"; }
const char *rr_flow_word(rr_flow f) { return (unsigned)f < 4 ? flow_words[f] : "?"; }

rr_status rr_parity_parse(const char *w, rr_parity *out)
{
    for (int i = 0; i < 5; i++)
        if (strcasecmp(w, parity_words[i]) == 0 ||
            (w[0] && !w[1] && tolower((unsigned char)w[0]) == parity_words[i][0])) {
            *out = (rr_parity)i;
            return RR_OK;
        }
    return RR_ERR_ARG;
}

rr_status rr_flow_parse(const char *w, rr_flow *out)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(w, flow_words[i]) == 0) {
            *out = (rr_flow)i;
            return RR_OK;
        }
    return RR_ERR_ARG;
}

/* Whole-string decimal integer in [lo, hi]. */
static bool parse_int(const char *s, long lo, long hi, int *out)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    if (strlen(s) > 9)
        return false;
    long v = strtol(s, NULL, 10);
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

#define FAIL(...)                                \
    do {                                         \
        if (err)                                 \
            snprintf(err, errlen, __VA_ARGS__);  \
        return RR_ERR_ARG;                       \
    } while (0)

rr_status rr_conn_parse(const char *spec, rr_conn *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->baud = 115200;
    out->data_bits = 8;
    out->stop_bits = 1;
    out->tcp_port = 5025;
    if (!spec)
        FAIL("no connection string");
    if (strncmp(spec, "tcp:", 4) == 0) {
        out->kind = RR_CONN_TCP;
        const char *h = spec + 4, *port = NULL;
        size_t hlen;
        if (*h == '[') { /* [v6 address]:port */
            const char *close = strchr(h, ']');
            if (!close)
                FAIL("'%s': missing ']' after the IPv6 address", spec);
            h++;
            hlen = (size_t)(close - h);
            if (close[1] == ':')
                port = close + 2;
            else if (close[1])
                FAIL("'%s': expected ':PORT' after ']'", spec);
        } else {
            const char *colon = strrchr(h, ':');
            hlen = colon ? (size_t)(colon - h) : strlen(h);
            port = colon ? colon + 1 : NULL;
        }
        if (hlen == 0 || hlen >= sizeof out->host)
            FAIL("'%s': expected tcp:HOST[:PORT]", spec);
        memcpy(out->host, h, hlen);
        out->host[hlen] = '\0';
        /* Brackets only around a whole IPv6 address; no blanks or controls
         * (found by the instrconf fuzzer: "tcp:[[]" gave the host "["). */
        for (const char *c = out->host; *c; c++)
            if (*c == '[' || *c == ']' || (unsigned char)*c <= ' ' || *c == 0x7f)
                FAIL("'%s': the host '%s' has a character a host name cannot have", spec,
                     out->host);
        if (port && !parse_int(port, 0, 65535, &out->tcp_port))
            FAIL("'%s': port '%s' is not a number from 0 to 65535", spec, port);
        return RR_OK;
    }
    if (strncmp(spec, "serial:", 7) == 0) {
        out->kind = RR_CONN_SERIAL;
        char buf[768];
        if (strlen(spec + 7) >= sizeof buf)
            FAIL("'%s': too long", spec);
        strcpy(buf, spec + 7);
        char *field[6] = {0};
        int nf = 0;
        char *p = buf;
        field[nf++] = p;
        while ((p = strchr(p, ':')) != NULL) {
            *p++ = '\0';
            if (nf == 6)
                FAIL("'%s': too many fields (serial:PORT[:BAUD[:PARITY[:STOPBITS"
                     "[:FLOW[:DATABITS]]]]])", spec);
            field[nf++] = p;
        }
        if (!*field[0] || strlen(field[0]) >= sizeof out->port)
            FAIL("'%s': missing port name (serial:PORT[:BAUD...])", spec);
        strcpy(out->port, field[0]);
        if (nf > 1 && *field[1] && !parse_int(field[1], 50, 20000000, &out->baud))
            FAIL("'%s': baud rate '%s' is not a whole number", spec, field[1]);
        if (nf > 2 && *field[2] && rr_parity_parse(field[2], &out->parity) != RR_OK)
            FAIL("'%s': parity '%s' is not none, odd, even, mark or space", spec, field[2]);
        if (nf > 3 && *field[3] && !parse_int(field[3], 1, 2, &out->stop_bits))
            FAIL("'%s': stop bits '%s' is not 1 or 2", spec, field[3]);
        if (nf > 4 && *field[4] && rr_flow_parse(field[4], &out->flow) != RR_OK)
            FAIL("'%s': flow control '%s' is not none, xonxoff, rtscts or dtrdsr",
                 spec, field[4]);
        if (nf > 5 && *field[5] && !parse_int(field[5], 5, 8, &out->data_bits))
            FAIL("'%s': data bits '%s' is not 5 to 8", spec, field[5]);
        return RR_OK;
    }
    FAIL("'%s': expected tcp:HOST[:PORT] or serial:PORT[:BAUD[:PARITY[:STOPBITS[:FLOW]]]]",
         spec);
}

void rr_conn_format(const rr_conn *c, char *buf, size_t len)
{
    if (c->kind == RR_CONN_TCP)
        snprintf(buf, len, strchr(c->host, ':') ? "tcp:[%s]:%d" : "tcp:%s:%d", c->host,
                 c->tcp_port);
    else
        snprintf(buf, len, "serial:%s:%d:%s:%d:%s:%d", c->port, c->baud,
                 rr_parity_word(c->parity), c->stop_bits, rr_flow_word(c->flow),
                 c->data_bits);
}

/* ---- links ------------------------------------------------------------ */

struct rr_link {
    rr_conn conn;
    int fd;                 /* TCP socket, or -1 */
    struct sp_port *sp;     /* serial port, or NULL */
    char err[1400];
};

const char *rr_link_error(const rr_link *l) { return l ? l->err : "no link"; }

static int ms(double s) { return s <= 0 ? 0 : s > 1e6 ? 1000000000 : (int)(s * 1000 + 0.999); }

/* libserialport's message must be freed: the one place that does it. */
static void sp_message(char *buf, size_t len, const char *what, enum sp_return r)
{
    if (r == SP_ERR_FAIL) {
        char *m = sp_last_error_message();
        snprintf(buf, len, "%s: %s", what, m ? m : "failed");
        sp_free_error_message(m);
    } else {
        snprintf(buf, len, "%s: %s", what,
                 r == SP_ERR_ARG ? "invalid argument" :
                 r == SP_ERR_MEM ? "out of memory" :
                 r == SP_ERR_SUPP ? "not supported" : "error");
    }
}

static rr_status open_tcp(rr_link *l, double timeout_s)
{
    const rr_conn *c = &l->conn;
    char port[16];
    snprintf(port, sizeof port, "%d", c->tcp_port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(c->host, port, &hints, &res);
    if (gai != 0) {
        snprintf(l->err, sizeof l->err, "tcp:%s:%d: %s", c->host, c->tcp_port,
                 gai_strerror(gai));
        return RR_ERR_NOT_FOUND;
    }
    rr_status st = RR_ERR_LINK;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0)
            continue;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        int r = connect(fd, a->ai_addr, a->ai_addrlen);
        if (r != 0 && errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            r = poll(&p, 1, ms(timeout_s));
            if (r == 0) {
                errno = ETIMEDOUT;
                r = -1;
            } else if (r > 0) {
                int e = 0;
                socklen_t el = sizeof e;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
                errno = e;
                r = e ? -1 : 0;
            }
        }
        if (r == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            l->fd = fd;
            st = RR_OK;
            break;
        }
        snprintf(l->err, sizeof l->err, "tcp:%s:%d: %s", c->host, c->tcp_port,
                 strerror(errno));
        st = errno == ETIMEDOUT ? RR_ERR_TIMEOUT : RR_ERR_LINK;
        close(fd);
    }
    freeaddrinfo(res);
    return st;
}

static rr_status open_serial(rr_link *l)
{
    const rr_conn *c = &l->conn;
    enum sp_return r;
    struct stat sb;
    /* libserialport says little about a missing port: check it first. */
    if (stat(c->port, &sb) != 0 && strchr(c->port, '/')) {
        snprintf(l->err, sizeof l->err, "serial port %s: %s (try 'relaxrun ports')",
                 c->port, strerror(errno));
        return RR_ERR_NOT_FOUND;
    }
    if ((r = sp_get_port_by_name(c->port, &l->sp)) != SP_OK) {
        l->sp = NULL;
        char what[600];
        snprintf(what, sizeof what, "serial port %s not found (try 'relaxrun ports')",
                 c->port);
        sp_message(l->err, sizeof l->err, what, r);
        return RR_ERR_NOT_FOUND;
    }
    if ((r = sp_open(l->sp, SP_MODE_READ_WRITE)) != SP_OK) {
        int e = errno;
        char what[600];
        snprintf(what, sizeof what, "serial port %s", c->port);
        sp_message(l->err, sizeof l->err, what, r);
        sp_free_port(l->sp);
        l->sp = NULL;
        return e == EBUSY ? RR_ERR_BUSY : e == ENOENT ? RR_ERR_NOT_FOUND : RR_ERR_LINK;
    }
    /* One relaxrun per port: an advisory lock another relaxrun will see. */
    int fd = -1;
    if (sp_get_port_handle(l->sp, &fd) == SP_OK && fd >= 0) {
        struct flock fl = {0};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            snprintf(l->err, sizeof l->err,
                     "serial port %s is busy (locked by another program)", c->port);
            sp_close(l->sp);
            sp_free_port(l->sp);
            l->sp = NULL;
            return RR_ERR_BUSY;
        }
    }
    static const enum sp_parity par[] = {SP_PARITY_NONE, SP_PARITY_ODD, SP_PARITY_EVEN,
                                         SP_PARITY_MARK, SP_PARITY_SPACE};
    static const enum sp_flowcontrol flo[] = {SP_FLOWCONTROL_NONE, SP_FLOWCONTROL_XONXOFF,
                                              SP_FLOWCONTROL_RTSCTS, SP_FLOWCONTROL_DTRDSR};
    const char *step = NULL;
    if ((r = sp_set_baudrate(l->sp, c->baud)) != SP_OK)
        step = "baud rate";
    else if ((r = sp_set_bits(l->sp, c->data_bits)) != SP_OK)
        step = "data bits";
    else if ((r = sp_set_parity(l->sp, par[c->parity])) != SP_OK)
        step = "parity";
    else if ((r = sp_set_stopbits(l->sp, c->stop_bits)) != SP_OK)
        step = "stop bits";
    else if ((r = sp_set_flowcontrol(l->sp, flo[c->flow])) != SP_OK)
        step = "flow control";
    if (step) {
        char what[600];
        snprintf(what, sizeof what, "serial port %s: cannot set %s", c->port, step);
        sp_message(l->err, sizeof l->err, what, r);
        sp_close(l->sp);
        sp_free_port(l->sp);
        l->sp = NULL;
        return RR_ERR_LINK;
    }
    sp_flush(l->sp, SP_BUF_BOTH); /* start on a fresh line */
    return RR_OK;
}

rr_status rr_link_open(const rr_conn *c, double timeout_s, rr_link **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    rr_link *l = calloc(1, sizeof *l);
    if (!l)
        return RR_ERR_NOMEM;
    l->conn = *c;
    l->fd = -1;
    rr_status st = c->kind == RR_CONN_TCP ? open_tcp(l, timeout_s) : open_serial(l);
    if (st != RR_OK) {
        if (err)
            snprintf(err, errlen, "%s", l->err);
        free(l);
        return st;
    }
    *out = l;
    return RR_OK;
}

rr_status rr_link_write(rr_link *l, const char *buf, size_t len, double timeout_s)
{
    double deadline = rr_mono_s() + timeout_s;
    if (l->sp) {
        int r = sp_blocking_write(l->sp, buf, len, (unsigned)ms(timeout_s));
        if (r < 0) {
            sp_message(l->err, sizeof l->err, "serial port", (enum sp_return)r);
            return RR_ERR_LINK;
        }
        if ((size_t)r < len) {
            snprintf(l->err, sizeof l->err, "serial write timed out");
            return RR_ERR_TIMEOUT;
        }
        return RR_OK;
    }
    while (len > 0) {
        ssize_t n = send(l->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {l->fd, POLLOUT, 0};
            double left = deadline - rr_mono_s();
            if (left <= 0 || poll(&p, 1, ms(left)) == 0) {
                snprintf(l->err, sizeof l->err, "write timed out");
                return RR_ERR_TIMEOUT;
            }
            continue;
        }
        snprintf(l->err, sizeof l->err, "%s", n == 0 ? "the device closed it" : strerror(errno));
        return RR_ERR_LINK;
    }
    return RR_OK;
}

rr_status rr_link_read(rr_link *l, char *buf, size_t cap, double timeout_s, size_t *got)
{
    *got = 0;
    if (l->sp) {
        /* sp_blocking_read_next returns as soon as any byte is there; a
         * timeout of 0 means "wait forever" to libserialport. */
        int r = timeout_s <= 0 ? sp_nonblocking_read(l->sp, buf, cap)
                               : sp_blocking_read_next(l->sp, buf, cap, (unsigned)ms(timeout_s));
        if (r < 0) {
            sp_message(l->err, sizeof l->err, "serial port", (enum sp_return)r);
            return RR_ERR_LINK;
        }
        if (r == 0)
            return RR_ERR_TIMEOUT;
        *got = (size_t)r;
        return RR_OK;
    }
    for (;;) {
        struct pollfd p = {l->fd, POLLIN, 0};
        int pr = poll(&p, 1, ms(timeout_s));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            return RR_ERR_TIMEOUT;
        ssize_t n = recv(l->fd, buf, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return RR_OK;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        snprintf(l->err, sizeof l->err, "%s", n == 0 ? "the device closed it" : strerror(errno));
        return RR_ERR_LINK;
    }
}

void rr_link_close(rr_link *l)
{
    if (!l)
        return;
    if (l->sp) {
        sp_close(l->sp);
        sp_free_port(l->sp);
    }
    if (l->fd >= 0)
        close(l->fd);
    free(l);
}
