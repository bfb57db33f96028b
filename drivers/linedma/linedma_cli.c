/* linedma_cli.c - "relaxrun emulate" and "relaxrun ports" (linedma_cli.h). */
#include "linedma/linedma_cli.h"

#include <libserialport.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "instrument.h"
#include "linedma/emulator.h"
#include "linedma/lineproto.h"
#include "sim/sim.h"
#include "yamlconf.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void announce(const char *addr, void *arg)
{
    (void)arg;
    printf("%s\n", addr);
    fflush(stdout);
}

static void emulate_usage(FILE *f)
{
    fprintf(f,
            "usage: relaxrun emulate (--tcp HOST:PORT | --pty LINK) [--speed X] [--seed N]\n"
            "                        [-I sim[:PRESET]] [--no-noise]\n"
            "                        [--fault KIND[/HEADER][@DEVICE_TIME_S]]...\n"
            "                        [--late-s S] [--log FILE]\n"
            "Serves the simulator over the DMA line protocol v1.1 on a loopback TCP port\n"
            "(port 0: any free one) or a pseudo-terminal linked at LINK.  The first line on\n"
            "stdout is the address served (tcp:HOST:PORT or serial:LINK).  Device time runs\n"
            "X times faster than wall time.  Fault kinds: garbage, late, silence, disconnect,\n"
            "err, overload, broken, heater; /HEADER (such as garbage/ACQ:DATA?) aims one\n"
            "of the first five at that command's answer.  Stops on SIGINT or SIGTERM.\n");
}

/* furnace.KEY of the preset served, or 0 when it does not say (the
 * simulator's default then applies, which the emulator's default is). */
static double preset_furnace(const char *preset, const char *presets_dir, const char *key)
{
    char path[1200];
    rr_yaml *y = NULL;
    double v = 0;
    if (rr_sim_preset_path(preset, presets_dir, path, sizeof path) != RR_OK ||
        rr_yaml_load_file(path, &y, NULL, 0) != RR_OK)
        return 0;
    yaml_node_t *root = rr_yaml_root(y);
    yaml_node_t *f = root && root->type == YAML_MAPPING_NODE ? rr_yaml_get(y, root, "furnace")
                                                            : NULL;
    const char *s = f && f->type == YAML_MAPPING_NODE ? rr_yaml_str(rr_yaml_get(y, f, key))
                                                      : NULL;
    if (!s || !rr_lp_number(s, strlen(s), &v) || !(v > 0))
        v = 0;
    rr_yaml_free(y);
    return v;
}

int rr_emulate_main(int argc, char **argv)
{
    const char *tcp = NULL, *pty = NULL, *instr = "sim", *log = NULL;
    const char *faults[16];
    int nfaults = 0;
    rr_emu_options eo = {0};
    rr_open_options oo = {.seed = 1, .noise = true};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            emulate_usage(stdout);
            return RR_EXIT_OK;
        } else if (strcmp(a, "--no-noise") == 0) {
            oo.noise = false;
            continue;
        }
        if (!v) {
            fprintf(stderr, "relaxrun emulate: %s needs a value\n", a);
            emulate_usage(stderr);
            return RR_EXIT_USAGE;
        }
        i++;
        if (strcmp(a, "--tcp") == 0)
            tcp = v;
        else if (strcmp(a, "--pty") == 0)
            pty = v;
        else if (strcmp(a, "-I") == 0 || strcmp(a, "--instrument") == 0)
            instr = v;
        else if (strcmp(a, "--log") == 0)
            log = v;
        else if (strcmp(a, "--fault") == 0 && nfaults < 16)
            faults[nfaults++] = v;
        else if (strcmp(a, "--speed") == 0 || strcmp(a, "--late-s") == 0) {
            if (!rr_lp_number(v, strlen(v), &x) || x <= 0 || x > 1e6) {
                fprintf(stderr, "relaxrun emulate: %s '%s' is not a positive number\n", a, v);
                return RR_EXIT_USAGE;
            }
            if (a[2] == 's')
                eo.speed = x;
            else
                eo.late_s = x;
        } else if (strcmp(a, "--seed") == 0) {
            if (!rr_lp_number(v, strlen(v), &x) || x < 0 || x != (double)(unsigned long)x) {
                fprintf(stderr, "relaxrun emulate: --seed '%s' is not a whole number\n", v);
                return RR_EXIT_USAGE;
            }
            oo.seed = (unsigned long)x;
        } else {
            fprintf(stderr, "relaxrun emulate: unknown option '%s'\n", a);
            emulate_usage(stderr);
            return RR_EXIT_USAGE;
        }
    }
    if (!tcp == !pty) {
        fprintf(stderr, "relaxrun emulate: give exactly one of --tcp HOST:PORT and --pty LINK\n");
        emulate_usage(stderr);
        return RR_EXIT_USAGE;
    }
    if (strcmp(instr, "sim") != 0 && strncmp(instr, "sim:", 4) != 0) {
        fprintf(stderr, "relaxrun emulate: -I '%s': only sim or sim:PRESET can be served\n",
                instr);
        return RR_EXIT_USAGE;
    }
    struct stat lsb;
    if (pty && lstat(pty, &lsb) == 0 && !S_ISLNK(lsb.st_mode)) {
        fprintf(stderr, "relaxrun emulate: --pty %s: exists and is not a symbolic link\n", pty);
        return RR_EXIT_USAGE;
    }
    char host[256] = "127.0.0.1";
    int port = 0;
    if (tcp) {
        const char *colon = strrchr(tcp, ':');
        double x;
        if (!colon || colon == tcp || (size_t)(colon - tcp) >= sizeof host ||
            !rr_lp_number(colon + 1, strlen(colon + 1), &x) || x < 0 || x > 65535 ||
            x != (int)x) {
            fprintf(stderr, "relaxrun emulate: --tcp '%s': expected HOST:PORT\n", tcp);
            return RR_EXIT_USAGE;
        }
        memcpy(host, tcp, (size_t)(colon - tcp));
        host[colon - tcp] = '\0';
        port = (int)x;
    }
    /* Presets: RELAXRUN_PRESETS_DIR, else the data dir's (source or install
     * tree layout, as engine/paths.c), else the simulator's built-in path. */
    char presets[1200];
    oo.presets_dir = getenv("RELAXRUN_PRESETS_DIR");
    const char *datadir = getenv("RELAXRUN_DATADIR");
    if (!oo.presets_dir && datadir) {
        struct stat sb;
        snprintf(presets, sizeof presets, "%s/drivers/sim/presets", datadir);
        if (stat(presets, &sb) != 0)
            snprintf(presets, sizeof presets, "%s/presets", datadir);
        if (stat(presets, &sb) == 0)
            oo.presets_dir = presets;
    }
    eo.log_path = log;
    /* TEMP:SET? and TEMP:RATE? before a host sets them: what the simulator
     * idles at and ramps at. */
    const char *preset = instr[3] == ':' ? instr + 4 : NULL;
    eo.temp_set_K = preset_furnace(preset, oo.presets_dir, "ambient_K");
    eo.temp_rate_K_per_min = preset_furnace(preset, oo.presets_dir, "rate_K_per_min");

    char err[1200];
    rr_instrument *sim = NULL;
    rr_status st = rr_sim_open(preset, &oo, &sim, err, sizeof err);
    if (st != RR_OK) {
        fprintf(stderr, "relaxrun emulate: %s\n", err);
        return st == RR_ERR_NOMEM ? RR_EXIT_INTERNAL : RR_EXIT_USAGE; /* a bad -I */
    }
    rr_emu *e = NULL;
    if ((st = rr_emu_new(sim, &eo, &e, err, sizeof err)) != RR_OK) {
        fprintf(stderr, "relaxrun emulate: %s\n", err);
        return RR_EXIT_INTERNAL;
    }
    for (int i = 0; i < nfaults; i++)
        if (rr_emu_add_fault(e, faults[i], err, sizeof err) != RR_OK) {
            fprintf(stderr, "relaxrun emulate: %s\n", err);
            rr_emu_free(e);
            return RR_EXIT_USAGE;
        }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    st = tcp ? rr_emu_serve_tcp(e, host, port, announce, NULL, &stop_flag, err, sizeof err)
             : rr_emu_serve_pty(e, pty, announce, NULL, &stop_flag, err, sizeof err);
    rr_emu_free(e);
    if (st != RR_OK) {
        fprintf(stderr, "relaxrun emulate: %s\n", err);
        return st == RR_ERR_BUSY ? RR_EXIT_INSTRUMENT : RR_EXIT_INTERNAL;
    }
    return RR_EXIT_OK;
}

int rr_ports_main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: relaxrun ports\n");
        return RR_EXIT_USAGE;
    }
    struct sp_port **ports = NULL;
    if (sp_list_ports(&ports) != SP_OK) {
        char *m = sp_last_error_message();
        fprintf(stderr, "relaxrun ports: cannot list serial ports: %s\n", m ? m : "?");
        sp_free_error_message(m);
        return RR_EXIT_INSTRUMENT;
    }
    int n = 0;
    for (; ports[n]; n++) {
        struct sp_port *p = ports[n];
        const char *desc = sp_get_port_description(p);
        printf("%s", sp_get_port_name(p));
        if (desc && *desc)
            printf("\t%s", desc);
        if (sp_get_port_transport(p) == SP_TRANSPORT_USB) {
            int vid = 0, pid = 0;
            if (sp_get_port_usb_vid_pid(p, &vid, &pid) == SP_OK)
                printf("\tUSB %04x:%04x", vid, pid);
            const char *sn = sp_get_port_usb_serial(p);
            if (sn && *sn)
                printf(" serial %s", sn);
        }
        printf("\n");
    }
    sp_free_port_list(ports);
    if (n == 0)
        fprintf(stderr, "relaxrun ports: no serial ports found\n");
    return RR_EXIT_OK;
}
