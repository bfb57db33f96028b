/* recover.h - resuming an interrupted run from its journal. */
#ifndef RR_RECOVER_H
#define RR_RECOVER_H

/* Resumes the run in dir (its process is gone); returns an exit code. */
int rr_recover(const char *dir, int verbosity);

#endif
