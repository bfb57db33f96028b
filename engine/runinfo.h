/* runinfo.h - `relaxrun status RUNDIR`: how a run directory's run ended, or
 * that it was interrupted (killed, power lost) without closing. */
#ifndef RR_RUNINFO_H
#define RR_RUNINFO_H

int rr_status_main(int argc, char **argv);
/* `relaxrun pause RUNDIR` / `relaxrun resume RUNDIR` (argv[0] says which):
 * signals the run's live process (SIGUSR1 pauses, SIGUSR2 resumes). */
int rr_signal_main(int argc, char **argv);

#endif
