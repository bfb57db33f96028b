/* runinfo.h - `relaxrun status RUNDIR`: how a run directory's run ended, or
 * that it was interrupted (killed, power lost) without closing. */
#ifndef RR_RUNINFO_H
#define RR_RUNINFO_H

int rr_status_main(int argc, char **argv);

#endif
